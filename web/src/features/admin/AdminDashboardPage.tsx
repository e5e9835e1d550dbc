import { useQuery } from '@tanstack/react-query';
import { AlertTriangle, BookOpen, Flag, Inbox } from 'lucide-react';
import { Link } from 'react-router';
import { useApi } from '../../api/ApiContext';
import { ButtonLink } from '../../ui/ButtonLink';
import { loadErrorText } from '../support/errors';
import { STATUS_LABELS } from '../support/format';
import { useSupportChatEnabled } from '../support/SupportGate';
import { STATUS_VALUES } from './filters';
import { formatOptionalDuration } from './format';
import { statsQueryOptions, useRefreshOnReconnect } from './queries';
import styles from './AdminDashboardPage.module.css';

/** `/admin`: the admin dashboard. */
export function AdminDashboardPage() {
  const supportEnabled = useSupportChatEnabled();
  return (
    <>
      <title>Admin · support-chat</title>
      <section className={styles.intro} aria-labelledby="admin-title">
        <h1 id="admin-title" className={styles.title}>
          Admin
        </h1>
        <p className={styles.lead}>The support queue at a glance, the assistant&apos;s articles, and the switches for features.</p>
      </section>
      <div className={styles.cards}>
        {supportEnabled ? (
          <SupportQueueCard />
        ) : (
          <section className={styles.card} aria-labelledby="queue-card-title">
            <h2 id="queue-card-title" className={styles.cardTitle}>
              Support queue
            </h2>
            <p className={styles.muted}>
              Support chat is turned off for your account, so the queue isn&apos;t available. Turn the{' '}
              <strong>Support chat</strong> flag on for admins on the feature flags page.
            </p>
          </section>
        )}
        <section className={styles.card} aria-labelledby="flags-card-title">
          <h2 id="flags-card-title" className={styles.cardTitle}>
            <Flag size={18} aria-hidden="true" /> Feature flags
          </h2>
          <p className={styles.muted}>Switch features on or off, roll them out to a share of users, or limit them to a role.</p>
          <div className={styles.actions}>
            <ButtonLink to="/admin/features" variant="secondary">
              Manage feature flags
            </ButtonLink>
          </div>
        </section>
        <section className={styles.card} aria-labelledby="kb-card-title">
          <h2 id="kb-card-title" className={styles.cardTitle}>
            <BookOpen size={18} aria-hidden="true" /> Knowledge base
          </h2>
          <p className={styles.muted}>
            The help articles users read and the AI assistant answers from. Write, publish and retire them.
          </p>
          <div className={styles.actions}>
            <ButtonLink to="/admin/knowledge-base" variant="secondary">
              Manage articles
            </ButtonLink>
          </div>
        </section>
      </div>
    </>
  );
}

/** Counts by status, unassigned, response times and urgent alerts; kept live. */
function SupportQueueCard() {
  const api = useApi();
  const stats = useQuery(statsQueryOptions(api));
  useRefreshOnReconnect();

  let body;
  if (stats.isPending) {
    body = (
      <p role="status" className={styles.muted}>
        Loading the queue figures…
      </p>
    );
  } else if (stats.isError) {
    body = (
      <p role="alert" className={styles.error}>
        {loadErrorText(stats.error, 'the queue figures')}{' '}
        <button type="button" className={styles.linkButton} onClick={() => void stats.refetch()}>
          Try again
        </button>
      </p>
    );
  } else {
    const s = stats.data;
    body = (
      <>
        {s.urgentOpen > 0 && (
          <p className={styles.urgent}>
            <AlertTriangle size={18} aria-hidden="true" />
            <span>
              <strong>
                {s.urgentOpen} urgent {s.urgentOpen === 1 ? 'conversation' : 'conversations'}
              </strong>{' '}
              {s.urgentOpen === 1 ? 'is' : 'are'} open.{' '}
              <Link to="/admin/support?priority=urgent">Show urgent conversations</Link>
            </span>
          </p>
        )}
        <dl className={styles.stats}>
          {STATUS_VALUES.map((status) => (
            <div key={status} className={styles.stat}>
              <dt>{STATUS_LABELS[status]}</dt>
              <dd>{s.byStatus[status] ?? 0}</dd>
            </div>
          ))}
          <div className={`${styles.stat} ${s.unassigned > 0 ? styles.attention : ''}`}>
            <dt>Unassigned</dt>
            <dd>{s.unassigned}</dd>
          </div>
          <div className={`${styles.stat} ${s.urgentOpen > 0 ? styles.attentionUrgent : ''}`}>
            <dt>Urgent open</dt>
            <dd>{s.urgentOpen}</dd>
          </div>
          <div className={styles.stat}>
            <dt>Average first response</dt>
            <dd>{formatOptionalDuration(s.avgFirstResponseMs)}</dd>
          </div>
          <div className={styles.stat}>
            <dt>Median first response</dt>
            <dd>{formatOptionalDuration(s.medianFirstResponseMs)}</dd>
          </div>
          <div className={styles.stat}>
            <dt>Average resolution</dt>
            <dd>{formatOptionalDuration(s.avgResolutionMs)}</dd>
          </div>
          <div className={styles.stat}>
            <dt>Messages today</dt>
            <dd>{s.messagesToday}</dd>
          </div>
        </dl>
        {s.unassigned > 0 && (
          <p className={styles.muted}>
            <Link to="/admin/support?assignee=unassigned">Show unassigned conversations</Link>
          </p>
        )}
      </>
    );
  }

  return (
    <section className={`${styles.card} ${styles.wide}`} aria-labelledby="queue-card-title" aria-busy={stats.isPending}>
      <h2 id="queue-card-title" className={styles.cardTitle}>
        <Inbox size={18} aria-hidden="true" /> Support queue
      </h2>
      {body}
      <div className={styles.actions}>
        <ButtonLink to="/admin/support">Open the support queue</ButtonLink>
      </div>
    </section>
  );
}
