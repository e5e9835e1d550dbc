import { useCurrentUser } from '../auth/AuthContext';
import styles from './HomePage.module.css';

/** `/`: the signed-in dashboard. The support card fills in as the support features land. */
export function HomePage() {
  const user = useCurrentUser();
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
        <section className={styles.card} aria-labelledby="support-card-title">
          <h2 id="support-card-title" className={styles.cardTitle}>
            Support
          </h2>
          <p className={styles.cardText}>
            Conversations with the support team will appear here. Support chat is coming soon.
          </p>
          <span className={styles.badge}>Coming soon</span>
        </section>
      </div>
    </>
  );
}
