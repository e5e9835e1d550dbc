import { Search } from 'lucide-react';
import { ADMIN_SORTS, SEARCH_MAX_CHARS, TAG_MAX_CHARS, type PersonRef, type QueueFilters } from '../../api/admin';
import { PRIORITY_LABELS, STATUS_LABELS } from '../support/format';
import { DebouncedInput } from './DebouncedInput';
import { PRIORITY_VALUES, SORT_LABELS, STATUS_VALUES, isFiltered } from './filters';
import styles from './QueueToolbar.module.css';

interface QueueToolbarProps {
  filters: QueueFilters;
  /** `replace`: refining what is typed in a box replaces the history entry instead of adding one per pause. */
  onChange: (change: Partial<QueueFilters>, options?: { replace?: boolean }) => void;
  onClear: () => void;
  admins: readonly PersonRef[];
  selfId: number;
}

const normalizeTag = (value: string) => value.trim().toLowerCase();
const normalizeSearch = (value: string) => value.trim();

function assigneeValue(filters: QueueFilters): string {
  return String(filters.assignee);
}

function parseAssigneeValue(raw: string): QueueFilters['assignee'] {
  if (raw === 'me' || raw === 'unassigned' || raw === 'any') return raw;
  return Number(raw);
}

/** Search, filters and sort of the admin queue; every change goes to the address. */
export function QueueToolbar({ filters, onChange, onClear, admins, selfId }: QueueToolbarProps) {
  const others = admins.filter((a) => a.id !== selfId);
  const knownAssignee = typeof filters.assignee !== 'number' || others.some((a) => a.id === filters.assignee);
  return (
    <div className={styles.toolbar}>
      <form
        role="search"
        aria-label="Conversations"
        className={styles.searchForm}
        onSubmit={(event) => {
          event.preventDefault();
        }}
      >
        <DebouncedInput
          label="Search conversations"
          hideLabel
          type="search"
          placeholder="Search subject and last message…"
          maxLength={SEARCH_MAX_CHARS}
          value={filters.q}
          normalize={normalizeSearch}
          onCommit={(q) => {
            // Starting a search is a step Back undoes; refining it is not.
            onChange({ q }, { replace: filters.q !== '' });
          }}
          className={styles.search}
          inputClassName={`${styles.input} ${styles.searchInput}`}
          icon={<Search size={16} aria-hidden="true" className={styles.searchIcon} />}
        />
      </form>
      <div className={styles.filters} role="group" aria-label="Filters">
        <label className={styles.field}>
          <span className={styles.label}>Status</span>
          <select
            className={styles.input}
            aria-label="Filter by status"
            value={filters.status ?? ''}
            onChange={(event) => {
              const value = event.target.value;
              onChange({ status: STATUS_VALUES.find((s) => s === value) ?? null });
            }}
          >
            <option value="">All statuses</option>
            {STATUS_VALUES.map((s) => (
              <option key={s} value={s}>
                {STATUS_LABELS[s]}
              </option>
            ))}
          </select>
        </label>
        <label className={styles.field}>
          <span className={styles.label}>Priority</span>
          <select
            className={styles.input}
            aria-label="Filter by priority"
            value={filters.priority ?? ''}
            onChange={(event) => {
              const value = event.target.value;
              onChange({ priority: PRIORITY_VALUES.find((p) => p === value) ?? null });
            }}
          >
            <option value="">All priorities</option>
            {PRIORITY_VALUES.map((p) => (
              <option key={p} value={p}>
                {PRIORITY_LABELS[p]}
              </option>
            ))}
          </select>
        </label>
        <label className={styles.field}>
          <span className={styles.label}>Assignee</span>
          <select
            className={styles.input}
            aria-label="Filter by assignee"
            value={assigneeValue(filters)}
            onChange={(event) => {
              onChange({ assignee: parseAssigneeValue(event.target.value) });
            }}
          >
            <option value="any">Anyone</option>
            <option value="me">Me</option>
            <option value="unassigned">Unassigned</option>
            {others.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name}
              </option>
            ))}
            {!knownAssignee && <option value={String(filters.assignee)}>Admin #{filters.assignee}</option>}
          </select>
        </label>
        <DebouncedInput
          label="Tag"
          aria-label="Filter by tag"
          placeholder="Any tag"
          maxLength={TAG_MAX_CHARS}
          value={filters.tag}
          normalize={normalizeTag}
          onCommit={(tag) => {
            onChange({ tag }, { replace: filters.tag !== '' });
          }}
          className={styles.field}
          labelClassName={styles.label}
          inputClassName={styles.input}
        />
        <label className={styles.field}>
          <span className={styles.label}>Sort</span>
          <select
            className={styles.input}
            aria-label="Sort by"
            value={filters.sort}
            onChange={(event) => {
              const value = event.target.value;
              onChange({ sort: ADMIN_SORTS.find((s) => s === value) ?? 'newest' });
            }}
          >
            {ADMIN_SORTS.map((s) => (
              <option key={s} value={s}>
                {SORT_LABELS[s]}
              </option>
            ))}
          </select>
        </label>
        <label className={styles.check}>
          <input
            type="checkbox"
            checked={filters.archived}
            onChange={(event) => {
              onChange({ archived: event.target.checked });
            }}
          />
          Show archived
        </label>
        {isFiltered(filters) && (
          <button type="button" className={styles.clear} onClick={onClear}>
            Clear filters
          </button>
        )}
      </div>
    </div>
  );
}
