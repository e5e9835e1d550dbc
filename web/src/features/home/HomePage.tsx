import { Bot } from 'lucide-react';
import { ButtonLink } from '../../ui/ButtonLink';
import { useCurrentUser } from '../auth/AuthContext';
import { SupportCard } from '../support/SupportCard';
import { useSupportChatEnabled } from '../support/SupportGate';
import styles from './HomePage.module.css';

/** `/`: the signed-in dashboard. */
export function HomePage() {
  const user = useCurrentUser();
  const supportEnabled = useSupportChatEnabled();
  return (
    <>
      <title>Dashboard · support-chat</title>
      <section className={styles.intro} aria-labelledby="home-title">
        <h1 id="home-title" className={styles.title}>
          Hello, {user.name}
        </h1>
        <p className={styles.lead}>This is your support dashboard.</p>
      </section>
      <div className={styles.cards}>
        {supportEnabled ? (
          <SupportCard />
        ) : (
          <section className={styles.card} aria-labelledby="support-card-title">
            <h2 id="support-card-title" className={styles.cardTitle}>
              Support
            </h2>
            <p className={styles.cardText}>Support chat isn&apos;t available for your account right now.</p>
          </section>
        )}
        <section className={styles.card} aria-labelledby="assistant-card-title">
          <h2 id="assistant-card-title" className={styles.cardTitle}>
            <Bot size={20} aria-hidden="true" className={styles.cardIcon} /> Assistant
          </h2>
          <p className={styles.cardText}>
            Get an answer right away from our help articles. If it can&apos;t help, it hands you to a person.
          </p>
          <div>
            <ButtonLink to="/assistant" variant="secondary">
              Ask the assistant
            </ButtonLink>
          </div>
        </section>
      </div>
    </>
  );
}
