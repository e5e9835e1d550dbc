/**
 * The admin queue's filters live in the address (`/admin/support?status=open&assignee=me`), so a
 * view can be shared and the back button steps through views. Anything unknown in the address
 * falls back to the default rather than failing.
 */
import {
  ADMIN_SORTS,
  DEFAULT_FILTERS,
  SEARCH_MAX_CHARS,
  TAG_MAX_CHARS,
  type AdminSort,
  type AssigneeFilter,
  type QueueFilters,
} from '../../api/admin';
import type { ConversationStatus, Priority } from '../../api/support';

export const STATUS_VALUES: readonly ConversationStatus[] = ['open', 'in_progress', 'closed', 'transferred'];
export const PRIORITY_VALUES: readonly Priority[] = ['urgent', 'high', 'normal', 'low'];

export const SORT_LABELS: Record<AdminSort, string> = {
  newest: 'Latest activity',
  oldest: 'Oldest activity',
  created: 'Newest conversations',
  priority: 'Priority',
  waiting: 'Waiting longest for a reply',
};

const MAX_PAGE = 1_000_000;

function oneOf<T extends string>(values: readonly T[], raw: string | null): T | null {
  return values.find((v) => v === raw) ?? null;
}

function parseAssignee(raw: string | null): AssigneeFilter {
  if (raw === 'me' || raw === 'unassigned') return raw;
  if (raw !== null && /^[1-9]\d{0,15}$/.test(raw)) return Number(raw);
  return 'any';
}

function parsePage(raw: string | null): number {
  if (raw === null || !/^[1-9]\d{0,6}$/.test(raw)) return 1;
  return Math.min(Number(raw), MAX_PAGE);
}

/** The filters an address asks for. */
export function filtersFromParams(params: URLSearchParams): QueueFilters {
  return {
    status: oneOf(STATUS_VALUES, params.get('status')),
    priority: oneOf(PRIORITY_VALUES, params.get('priority')),
    assignee: parseAssignee(params.get('assignee')),
    tag: (params.get('tag') ?? '').trim().toLowerCase().slice(0, TAG_MAX_CHARS),
    q: (params.get('q') ?? '').slice(0, SEARCH_MAX_CHARS),
    sort: oneOf(ADMIN_SORTS, params.get('sort')) ?? DEFAULT_FILTERS.sort,
    archived: params.get('archived') === '1',
    page: parsePage(params.get('page')),
  };
}

/** The shortest address for some filters: defaults are left out, in a fixed order. */
export function paramsFromFilters(filters: QueueFilters): URLSearchParams {
  const params = new URLSearchParams();
  if (filters.status !== null) params.set('status', filters.status);
  if (filters.priority !== null) params.set('priority', filters.priority);
  if (filters.assignee !== 'any') params.set('assignee', String(filters.assignee));
  const tag = filters.tag.trim().toLowerCase();
  if (tag !== '') params.set('tag', tag);
  const q = filters.q.trim();
  if (q !== '') params.set('q', q);
  if (filters.sort !== DEFAULT_FILTERS.sort) params.set('sort', filters.sort);
  if (filters.archived) params.set('archived', '1');
  if (filters.page > 1) params.set('page', String(filters.page));
  return params;
}

/**
 * New filters after a change. Changing what is shown goes back to page 1; only a change of
 * page itself keeps the page.
 */
export function withFilters(current: QueueFilters, change: Partial<QueueFilters>): QueueFilters {
  const next = { ...current, ...change };
  if (change.page === undefined) next.page = 1;
  return next;
}

/** Whether any filter narrows the view (for "Clear filters" and the empty-state text). */
export function isFiltered(filters: QueueFilters): boolean {
  return (
    filters.status !== null ||
    filters.priority !== null ||
    filters.assignee !== 'any' ||
    filters.tag.trim() !== '' ||
    filters.q.trim() !== ''
  );
}
