import { Link } from 'react-router';
import type { ConversationSummary } from '../../api/support';
import { formatFull, formatListTime } from './format';
import { StatusBadge } from './StatusBadge';
import styles from './ConversationList.module.css';

/** Rows of conversations: subject, last message, time, unread badge, status. */
export function ConversationList({ conversations }: { conversations: readonly ConversationSummary[] }) {
  const now = new Date();
  return (
    <ul className={styles.list}>
      {conversations.map((c) => {
        const time = c.lastMessageAt ?? c.updatedAt;
        const unread = c.unreadCount > 0;
        return (
          <li key={c.id}>
            <Link to={`/support/${c.id}`} className={`${styles.row} ${unread ? styles.unread : ''}`}>
              <span className={styles.top}>
                <span className={styles.subject}>{c.subject}</span>
                <time className={styles.time} dateTime={time} title={formatFull(time)}>
                  {formatListTime(time, now)}
                </time>
              </span>
              <span className={styles.bottom}>
                <span className={styles.preview}>{c.lastMessage ?? 'No messages yet'}</span>
                {unread && (
                  <span className={styles.badge}>
                    <span aria-hidden="true">{c.unreadCount > 99 ? '99+' : c.unreadCount}</span>
                    <span className="visually-hidden">
                      , {c.unreadCount} unread {c.unreadCount === 1 ? 'message' : 'messages'}
                    </span>
                  </span>
                )}
              </span>
              <span className={styles.meta}>
                <StatusBadge status={c.status} />
                {c.admin && <span className={styles.admin}>with {c.admin.name}</span>}
              </span>
            </Link>
          </li>
        );
      })}
    </ul>
  );
}

/** Grey rows while the list loads. */
export function ConversationListSkeleton() {
  return (
    <div role="status" className={styles.list}>
      <span className="visually-hidden">Loading conversations…</span>
      {[0, 1, 2].map((i) => (
        <div key={i} className={`${styles.row} ${styles.skeleton}`} aria-hidden="true">
          <span className={styles.barWide} />
          <span className={styles.bar} />
        </div>
      ))}
    </div>
  );
}
