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
      </div>
    </>
  );
}
