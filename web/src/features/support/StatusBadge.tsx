import type { ConversationStatus } from '../../api/support';
import { STATUS_LABELS } from './format';
import styles from './StatusBadge.module.css';

/** A conversation's status as a small pill. */
export function StatusBadge({ status }: { status: ConversationStatus }) {
  return <span className={`${styles.badge} ${styles[status]}`}>{STATUS_LABELS[status]}</span>;
}
