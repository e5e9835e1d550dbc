/**
 * Live events → TanStack Query caches: conversation lists (preview, time, unread badge, status)
 * and conversation headers update at once; lists are refetched shortly after for the true order.
 * The admin queue pages and stats are patched the same way and refreshed at most once per
 * `ADMIN_REFRESH_DELAY_MS`, however many events arrive (no refetch storm on a busy queue).
 */
import type { InfiniteData, QueryClient, QueryKey } from '@tanstack/react-query';
import type { PersonRef, QueueFilters } from '../api/admin';
import type { ServerFrame } from '../api/realtime';
import { adminKeys, supportKeys } from '../api/queryKeys';
import type {
  Conversation,
  ConversationDetails,
  ConversationSummary,
  ConversationsResponse,
} from '../api/support';
import { applyChange, insertCreated, isPriority, isStatus, patchRow, summaryFromCreated } from './queueMerge';

/** Lists are refetched this long after the last event that touched them. */
export const LIST_REFRESH_DELAY_MS = 1_000;
/** The admin queue and stats are refetched at most this often while events keep coming. */
export const ADMIN_REFRESH_DELAY_MS = 1_000;

type ListData = InfiniteData<ConversationsResponse, number>;
type Patch = Partial<Pick<ConversationSummary, 'lastMessage' | 'lastMessageAt' | 'status' | 'priority' | 'subject'>>;

/** The filters a queue page was fetched with, from its query key (`adminKeys.queue`). */
function filtersOf(queryKey: QueryKey): QueueFilters | undefined {
  return queryKey[2] as QueueFilters | undefined;
}

/** Rewrites every cached admin queue page with `update` (given that page's filters). */
function patchQueues(
  queryClient: QueryClient,
  update: (page: ConversationsResponse, filters: QueueFilters) => ConversationsResponse,
) {
  for (const [queryKey, data] of queryClient.getQueriesData<ConversationsResponse>({ queryKey: adminKeys.queues() })) {
    const filters = filtersOf(queryKey);
    if (data === undefined || filters === undefined) continue;
    const next = update(data, filters);
    if (next !== data) queryClient.setQueryData(queryKey, next);
  }
}

function patchQueueRows(
  queryClient: QueryClient,
  conversationId: number,
  update: (summary: ConversationSummary) => ConversationSummary,
) {
  patchQueues(queryClient, (page) => patchRow(page, conversationId, update));
}

function patchLists(
  queryClient: QueryClient,
  conversationId: number,
  update: (summary: ConversationSummary) => ConversationSummary,
) {
  queryClient.setQueriesData<ListData>({ queryKey: supportKeys.lists() }, (data) => {
    if (data === undefined) return data;
    const pages = data.pages.map((page) => {
      if (!page.conversations.some((c) => c.id === conversationId)) return page;
      return {
        ...page,
        conversations: page.conversations.map((c) => (c.id === conversationId ? update(c) : c)),
      };
    });
    return pages.some((page, i) => page !== data.pages[i]) ? { ...data, pages } : data;
  });
}

function patchDetail(
  queryClient: QueryClient,
  conversationId: number,
  update: (conversation: Conversation) => Conversation,
) {
  queryClient.setQueryData<ConversationDetails>(supportKeys.conversation(conversationId), (data) =>
    data === undefined ? data : { ...data, conversation: update(data.conversation) },
  );
}

function patchBoth(queryClient: QueryClient, conversationId: number, patch: Patch, unread?: (n: number) => number) {
  const updateRow = (c: ConversationSummary): ConversationSummary => ({
    ...c,
    ...patch,
    ...(unread ? { unreadCount: unread(c.unreadCount) } : {}),
  });
  patchLists(queryClient, conversationId, updateRow);
  patchQueueRows(queryClient, conversationId, updateRow);
  // The header has no preview; everything else applies to it too.
  const headerPatch: Partial<Conversation> = {};
  if (patch.lastMessageAt !== undefined) headerPatch.lastMessageAt = patch.lastMessageAt;
  if (patch.status !== undefined) headerPatch.status = patch.status;
  if (patch.priority !== undefined) headerPatch.priority = patch.priority;
  if (patch.subject !== undefined) headerPatch.subject = patch.subject;
  patchDetail(queryClient, conversationId, (c) => ({
    ...c,
    ...headerPatch,
    ...(unread ? { unreadCount: unread(c.unreadCount) } : {}),
  }));
}

export interface QueryCacheSync {
  apply(frame: ServerFrame, selfId: number): void;
  dispose(): void;
}

export function createQueryCacheSync(queryClient: QueryClient): QueryCacheSync {
  let refreshTimer: ReturnType<typeof setTimeout> | null = null;
  let adminTimer: ReturnType<typeof setTimeout> | null = null;

  /** Coalesces: the first event starts the clock, later ones ride along, so a steady stream
   * of events still refreshes every `ADMIN_REFRESH_DELAY_MS` instead of never. Only queries
   * on screen refetch; the others are just marked stale. */
  function refreshAdminSoon() {
    if (adminTimer !== null) return;
    adminTimer = setTimeout(() => {
      adminTimer = null;
      void queryClient.invalidateQueries({ queryKey: adminKeys.queues() });
      void queryClient.invalidateQueries({ queryKey: adminKeys.stats() });
    }, ADMIN_REFRESH_DELAY_MS);
  }

  function refreshListsSoon() {
    if (refreshTimer !== null) clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => {
      refreshTimer = null;
      void queryClient.invalidateQueries({ queryKey: supportKeys.lists() });
    }, LIST_REFRESH_DELAY_MS);
  }

  function apply(frame: ServerFrame, selfId: number) {
    switch (frame.type) {
      case 'message': {
        const message = frame.data;
        const patch: Patch = { lastMessage: message.content, lastMessageAt: message.createdAt };
        patchBoth(queryClient, frame.conversationId, patch);
        // An end user's message reopens a closed conversation without a conversation_updated.
        if (message.senderType === 'user') {
          patchLists(queryClient, frame.conversationId, (c) => (c.status === 'closed' ? { ...c, status: 'open' } : c));
          patchQueueRows(queryClient, frame.conversationId, (c) => (c.status === 'closed' ? { ...c, status: 'open' } : c));
          patchDetail(queryClient, frame.conversationId, (c) => (c.status === 'closed' ? { ...c, status: 'open' } : c));
        }
        // The first admin reply sets the response time: show it at once on an open conversation
        // and in the queue (the server measures it the same way, from the conversation's start).
        if (message.senderType === 'admin') {
          const replyAt = Date.parse(message.createdAt);
          const firstResponse = <T extends { createdAt: string; firstResponseMs?: number | null }>(c: T): T =>
            c.firstResponseMs == null ? { ...c, firstResponseMs: Math.max(0, replyAt - Date.parse(c.createdAt)) } : c;
          patchQueueRows(queryClient, frame.conversationId, firstResponse);
          patchDetail(queryClient, frame.conversationId, (c) =>
            c.firstResponseMs == null ? { ...firstResponse(c), firstResponseAt: message.createdAt } : c,
          );
        }
        refreshListsSoon();
        // A first admin reply sets the response time; any message changes the day's count.
        refreshAdminSoon();
        break;
      }
      case 'notification':
        patchBoth(
          queryClient,
          frame.conversationId,
          { lastMessage: frame.data.preview, lastMessageAt: new Date().toISOString() },
          (n) => n + 1,
        );
        refreshListsSoon();
        refreshAdminSoon();
        break;
      case 'read_receipt':
        if (frame.data.userId === selfId) {
          patchBoth(queryClient, frame.conversationId, {}, () => 0);
          refreshListsSoon();
        }
        break;
      case 'conversation_updated': {
        const change = frame.data;
        const patch: Patch = {};
        if (isStatus(change.status)) patch.status = change.status;
        if (isPriority(change.priority)) patch.priority = change.priority;
        if (change.subject != null) patch.subject = change.subject;
        patchBoth(queryClient, frame.conversationId, patch);
        const admins = queryClient.getQueryData<PersonRef[]>(adminKeys.admins());
        patchQueues(queryClient, (page, filters) => applyChange(page, frame.conversationId, change, filters, admins));
        if (change.adminId !== undefined || change.tagsAdded != null || change.archived != null) {
          // The frame carries only the assignee's id; fetch the header for the name.
          void queryClient.invalidateQueries({ queryKey: supportKeys.conversation(frame.conversationId) });
        }
        refreshListsSoon();
        refreshAdminSoon();
        break;
      }
      case 'conversation_created': {
        const row = summaryFromCreated(frame.data);
        patchQueues(queryClient, (page, filters) => insertCreated(page, row, filters, selfId));
        refreshListsSoon();
        refreshAdminSoon();
        break;
      }
      default:
        break;
    }
  }

  return {
    apply,
    dispose() {
      if (refreshTimer !== null) clearTimeout(refreshTimer);
      refreshTimer = null;
      if (adminTimer !== null) clearTimeout(adminTimer);
      adminTimer = null;
    },
  };
}
