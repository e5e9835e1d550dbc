import { useQuery } from '@tanstack/react-query';
import { ChevronLeft, ChevronRight, Inbox } from 'lucide-react';
import { useMemo, useReducer } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useApi } from '../../api/ApiContext';
import { DEFAULT_FILTERS, type QueueFilters, type Stats } from '../../api/admin';
import { Button } from '../../ui/Button';
import { EmptyState } from '../../ui/EmptyState';
import { useCurrentUser } from '../auth/AuthContext';
import { loadErrorText } from '../support/errors';
import { BulkBar } from './BulkBar';
import { filtersFromParams, isFiltered, paramsFromFilters, withFilters } from './filters';
import { adminsQueryOptions, queueQueryOptions, statsQueryOptions, useRefreshOnReconnect } from './queries';
import { QueueTable } from './QueueTable';
import { QueueToolbar } from './QueueToolbar';
import { EMPTY_SELECTION, selectAllState, selectionReducer, visibleSelection } from './selection';
import { useNow } from './useNow';
import styles from './AdminSupportPage.module.css';

/** `/admin/support`: every conversation, filtered, sorted and kept live. */
export function AdminSupportPage() {
  const api = useApi();
  const user = useCurrentUser();
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => filtersFromParams(params), [params]);
  const queue = useQuery(queueQueryOptions(api, filters, user.id));
  const adminsQuery = useQuery(adminsQueryOptions(api));
  const stats = useQuery(statsQueryOptions(api));
  useRefreshOnReconnect();
  const [selection, dispatch] = useReducer(selectionReducer, EMPTY_SELECTION);
  const now = useNow(30_000);

  const admins = adminsQuery.data ?? [];
  const rows = queue.data?.conversations ?? [];
  const visibleIds = rows.map((r) => r.id);
  const selectedIds = visibleSelection(selection, visibleIds);
  const queueSearch = params.toString() === '' ? '' : `?${params.toString()}`;

  function go(next: QueueFilters, replace = false) {
    dispatch({ type: 'clear' });
    setParams(paramsFromFilters(next), { replace });
  }
  function change(partial: Partial<QueueFilters>, options: { replace?: boolean } = {}) {
    go(withFilters(filters, partial), options.replace ?? false);
  }

  let body;
  if (queue.isPending) {
    body = <QueueSkeleton />;
  } else if (queue.data === undefined) {
    body = (
      <EmptyState
        role="alert"
        title="Couldn't load the queue"
        action={
          <Button variant="secondary" onClick={() => void queue.refetch()} busy={queue.isRefetching}>
            Try again
          </Button>
        }
      >
        {loadErrorText(queue.error, 'the queue')}
      </EmptyState>
    );
  } else if (rows.length === 0) {
    body = <QueueEmpty filters={filters} onClear={() => { go({ ...DEFAULT_FILTERS, archived: filters.archived }); }} onFirstPage={() => { change({ page: 1 }); }} />;
  } else {
    const { total, pageSize } = queue.data.pagination;
    const pages = Math.max(1, Math.ceil(total / pageSize));
    body = (
      <>
        <QueueTable
          conversations={rows}
          selected={new Set(selectedIds)}
          onToggle={(id) => { dispatch({ type: 'toggle', id }); }}
          admins={admins}
          selfId={user.id}
          queueSearch={queueSearch}
          now={now}
        />
        <nav className={styles.pager} aria-label="Pages">
          <Button
            variant="secondary"
            size="small"
            disabled={filters.page <= 1}
            onClick={() => { change({ page: filters.page - 1 }); }}
          >
            <ChevronLeft size={16} aria-hidden="true" />
            Previous page
          </Button>
          <span className={styles.pageInfo}>
            Page {filters.page} of {pages} · {total} {total === 1 ? 'conversation' : 'conversations'}
          </span>
          <Button
            variant="secondary"
            size="small"
            disabled={!queue.data.pagination.hasMore}
            onClick={() => { change({ page: filters.page + 1 }); }}
          >
            Next page
            <ChevronRight size={16} aria-hidden="true" />
          </Button>
        </nav>
      </>
    );
  }

  return (
    <>
      <title>Support queue · support-chat</title>
      <div className={styles.header}>
        <div>
          <p className={styles.crumb}>
            <Link to="/admin">Admin</Link>
          </p>
          <h1 className={styles.title}>{filters.archived ? 'Archived conversations' : 'Support queue'}</h1>
        </div>
        {stats.data && <QueueCounts stats={stats.data} />}
      </div>
      <QueueToolbar
        filters={filters}
        onChange={change}
        onClear={() => { go({ ...DEFAULT_FILTERS, archived: filters.archived, sort: filters.sort }); }}
        admins={admins}
        selfId={user.id}
      />
      {adminsQuery.isError && (
        <p role="alert" className={styles.inlineError}>
          Couldn&apos;t load the list of admins, so only “Assign to me” and “Unassigned” work for now.
        </p>
      )}
      <BulkBar
        ids={selectedIds}
        visibleCount={rows.length}
        allState={selectAllState(selection, visibleIds)}
        onToggleAll={() => { dispatch({ type: 'toggle_all', visible: visibleIds }); }}
        onDone={() => { dispatch({ type: 'clear' }); }}
        archived={filters.archived}
        admins={admins}
        selfId={user.id}
      />
      {queue.isRefetchError && (
        <p role="alert" className={styles.inlineError}>
          Couldn&apos;t refresh the queue: {loadErrorText(queue.error, 'the queue')}
        </p>
      )}
      <section
        aria-label="Conversations"
        aria-busy={queue.isPending || queue.isPlaceholderData}
        className={queue.isPlaceholderData ? styles.stale : undefined}
      >
        {body}
      </section>
    </>
  );
}

/** Live counts that double as shortcuts to the matching views. */
function QueueCounts({ stats }: { stats: Stats }) {
  const items = [
    { label: 'Open', count: stats.byStatus.open ?? 0, to: '?status=open' },
    { label: 'In progress', count: stats.byStatus.in_progress ?? 0, to: '?status=in_progress' },
    { label: 'Unassigned', count: stats.unassigned, to: '?assignee=unassigned' },
    { label: 'Urgent', count: stats.urgentOpen, to: '?priority=urgent', urgent: stats.urgentOpen > 0 },
  ];
  return (
    <ul className={styles.counts} aria-label="Queue counts">
      {items.map((item) => (
        <li key={item.label}>
          <Link to={item.to} className={`${styles.countLink} ${item.urgent ? styles.countUrgent : ''}`}>
            <span className={styles.countValue}>{item.count}</span> {item.label}
          </Link>
        </li>
      ))}
    </ul>
  );
}

function QueueEmpty({ filters, onClear, onFirstPage }: { filters: QueueFilters; onClear: () => void; onFirstPage: () => void }) {
  if (filters.page > 1) {
    return (
      <EmptyState icon={<Inbox size={24} />} title="Nothing on this page">
        <button type="button" className={styles.linkButton} onClick={onFirstPage}>
          Go to the first page
        </button>
      </EmptyState>
    );
  }
  if (isFiltered(filters)) {
    return (
      <EmptyState icon={<Inbox size={24} />} title="No conversations match these filters">
        <button type="button" className={styles.linkButton} onClick={onClear}>
          Clear filters
        </button>
      </EmptyState>
    );
  }
  if (filters.archived) {
    return <EmptyState icon={<Inbox size={24} />} title="No archived conversations" />;
  }
  return (
    <EmptyState icon={<Inbox size={24} />} title="No conversations yet">
      New conversations show up here as soon as someone writes to support.
    </EmptyState>
  );
}

function QueueSkeleton() {
  return (
    <div role="status" className={styles.skeleton}>
      <span className="visually-hidden">Loading conversations…</span>
      {[0, 1, 2, 3].map((i) => (
        <div key={i} className={styles.skeletonRow} aria-hidden="true">
          <span className={styles.barWide} />
          <span className={styles.bar} />
        </div>
      ))}
    </div>
  );
}
