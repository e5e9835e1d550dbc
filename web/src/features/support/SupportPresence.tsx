import { useConnectionStatus, useSupportOnline } from '../../realtime/RealtimeContext';
import styles from './SupportPresence.module.css';

/** "Support is online" when an admin has the app open, from the live presence list. */
export function SupportPresence() {
  const online = useSupportOnline();
  const connection = useConnectionStatus();
  // Presence is only known while connected.
  if (connection !== 'connected') return null;
  return (
    <p className={`${styles.presence} ${online ? styles.online : ''}`}>
      <span className={styles.dot} aria-hidden="true" />
      {online ? 'Support is online' : "Support is away. We'll answer as soon as we're back."}
    </p>
  );
}
