import { useConnectionStatus } from '../../realtime/RealtimeContext';
import { CONNECTION_LABELS } from './format';
import styles from './ConnectionIndicator.module.css';

/** The live connection's state: connected, (re)connecting or offline. */
export function ConnectionIndicator() {
  const status = useConnectionStatus();
  return (
    <p className={`${styles.indicator} ${styles[status]}`} role="status">
      <span className={styles.dot} aria-hidden="true" />
      <span>
        <span className="visually-hidden">Connection: </span>
        {CONNECTION_LABELS[status]}
      </span>
    </p>
  );
}
