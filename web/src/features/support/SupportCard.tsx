import { useInfiniteQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { useApi } from '../../api/ApiContext';
import { ButtonLink } from '../../ui/ButtonLink';
import { formatListTime } from './format';
import { conversationListQuery } from './conversationListQuery';
import { StatusBadge } from './StatusBadge';
import { SupportPresence } from './SupportPresence';
import styles from './SupportCard.module.css';

const RECENT = 3;

/** The dashboard's support card: unread count, the latest conversations and "Contact support". */
export function SupportCard() {
  const api = useApi();
  // The first page of `/support`'s list: both stay in step.
  const query = useInfiniteQuery(conversationListQuery(api, 'all'));
  const conversations = query.data?.pages[0]?.conversations ?? [];
  const unread = conversations.reduce((sum, c) => sum + c.unreadCount, 0);
  const recent = conversations.slice(0, RECENT);
  const now = new Date();

  return (
    <section className={styles.card} aria-labelledby="support-card-title">
      <div className={styles.top}>
        <h2 id="support-card-title" className={styles.title}>
          Support
        </h2>
        {unread > 0 && (
          <span className={styles.badge}>
            {unread} unread
          </span>
        )}
      </div>
      <SupportPresence />
      {query.isPending && (
        <p role="status" className={styles.muted}>
          Loading your conversations…
        </p>
      )}
      {query.isError && (
        <p role="alert" className={styles.error}>
          Couldn&apos;t load your conversations.{' '}
          <button type="button" className={styles.linkButton} onClick={() => void query.refetch()}>
            Try again
          </button>
        </p>
      )}
      {query.isSuccess && recent.length === 0 && (
        <p className={styles.muted}>Questions or problems? Our support team answers here.</p>
      )}
      {recent.length > 0 && (
        <ul className={styles.list}>
          {recent.map((c) => (
            <li key={c.id}>
              <Link to={`/support/${c.id}`} className={styles.row}>
                <span className={styles.subject}>{c.subject}</span>
                <span className={styles.rowMeta}>
                  <StatusBadge status={c.status} />
                  {c.unreadCount > 0 && <span className={styles.dot}>{c.unreadCount} new</span>}
                  <time dateTime={c.lastMessageAt ?? c.updatedAt}>{formatListTime(c.lastMessageAt ?? c.updatedAt, now)}</time>
                </span>
              </Link>
            </li>
          ))}
        </ul>
      )}
      <div className={styles.actions}>
        <ButtonLink to="/support/new">Contact support</ButtonLink>
        {conversations.length > 0 && (
          <ButtonLink to="/support" variant="secondary">
            All conversations
          </ButtonLink>
        )}
      </div>
    </section>
  );
}
