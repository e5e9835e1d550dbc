import { unwrap, type Api } from './client';
import type { components } from './schema';
import type { Conversation, ConversationStatus, ConversationsResponse, Priority } from './support';

type Schemas = components['schemas'];
export type Stats = Schemas['Stats'];
export type PersonRef = Schemas['PersonRef'];
export type FeatureFlag = Schemas['FeatureFlag'];
export type UpdateFlagRequest = Schemas['UpdateFlagRequest'];
export type Role = Schemas['Role'];
export type ConversationChange = Schemas['ConversationChange'];

export const ADMIN_PAGE_SIZE = 25;
/** The server's limits for the queue search and for tags (see the admin guide). */
export const SEARCH_MAX_CHARS = 200;
export const TAG_MAX_CHARS = 50;
export const TAGS_MAX = 20;

export const ADMIN_SORTS = ['newest', 'oldest', 'created', 'priority', 'waiting'] as const;
export type AdminSort = (typeof ADMIN_SORTS)[number];

/** Who a queue view is limited to: anyone, me, nobody, or one admin by id. */
export type AssigneeFilter = 'any' | 'me' | 'unassigned' | number;

/** One view of the admin queue: what `/admin/support`'s address says. */
export interface QueueFilters {
  status: ConversationStatus | null;
  priority: Priority | null;
  assignee: AssigneeFilter;
  tag: string;
  q: string;
  sort: AdminSort;
  archived: boolean;
  page: number;
}

export const DEFAULT_FILTERS: QueueFilters = {
  status: null,
  priority: null,
  assignee: 'any',
  tag: '',
  q: '',
  sort: 'newest',
  archived: false,
  page: 1,
};

/** The query string for `GET /admin/conversations`; `me` becomes my own id. */
export function queueQuery(filters: QueueFilters, selfId: number) {
  const { status, priority, assignee, tag, q, sort, archived, page } = filters;
  return {
    ...(status === null ? {} : { status }),
    ...(priority === null ? {} : { priority }),
    ...(assignee === 'me' ? { adminId: selfId } : {}),
    ...(typeof assignee === 'number' ? { adminId: assignee } : {}),
    ...(assignee === 'unassigned' ? { unassigned: true } : {}),
    ...(tag.trim() === '' ? {} : { tag: tag.trim().toLowerCase() }),
    ...(q.trim() === '' ? {} : { q: q.trim() }),
    ...(sort === 'newest' ? {} : { sort }),
    ...(archived ? { archived: true } : {}),
    page,
    pageSize: ADMIN_PAGE_SIZE,
  };
}

export function fetchQueue(
  api: Api,
  filters: QueueFilters,
  selfId: number,
  signal?: AbortSignal,
): Promise<ConversationsResponse> {
  return unwrap(
    api.client.GET('/api/support-chat/admin/conversations', {
      params: { query: queueQuery(filters, selfId) },
      ...(signal ? { signal } : {}),
    }),
  );
}

export function fetchStats(api: Api, signal?: AbortSignal): Promise<Stats> {
  return unwrap(api.client.GET('/api/support-chat/admin/stats', signal ? { signal } : {}));
}

export async function fetchAdmins(api: Api, signal?: AbortSignal): Promise<PersonRef[]> {
  const { admins } = await unwrap(api.client.GET('/api/support-chat/admin/admins', signal ? { signal } : {}));
  return admins;
}

/** What an admin may change on one conversation; absent fields stay as they are. */
export interface ConversationUpdate {
  status?: ConversationStatus;
  priority?: Priority;
  /** An admin's id, or `null` to unassign. */
  adminId?: number | null;
  subject?: string;
}

export function updateConversation(api: Api, id: number, body: ConversationUpdate): Promise<Conversation> {
  return unwrap(api.client.PUT('/api/support-chat/conversations/{id}', { params: { path: { id } }, body }));
}

export type BulkAction =
  | { action: 'close' }
  | { action: 'archive' }
  | { action: 'restore' }
  | { action: 'assign'; adminId: number | null }
  | { action: 'tag'; tags: string[] };

/** Applies one action to many conversations; resolves to how many it changed. */
export async function bulkUpdate(api: Api, ids: readonly number[], action: BulkAction): Promise<number> {
  const { updated } = await unwrap(
    api.client.POST('/api/support-chat/admin/conversations/bulk', { body: { ids: [...ids], ...action } }),
  );
  return updated;
}

export async function fetchFlags(api: Api, signal?: AbortSignal): Promise<FeatureFlag[]> {
  const { flags } = await unwrap(api.client.GET('/api/admin/features', signal ? { signal } : {}));
  return flags;
}

export function updateFlag(api: Api, key: string, body: UpdateFlagRequest): Promise<FeatureFlag> {
  return unwrap(api.client.PUT('/api/admin/features/{key}', { params: { path: { key } }, body }));
}
