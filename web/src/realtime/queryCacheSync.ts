/**
 * Live events → TanStack Query caches: conversation lists (preview, time, unread badge, status)
 * and conversation headers update at once; lists are refetched shortly after for the true order.
 */
import type { InfiniteData, QueryClient } from '@tanstack/react-query';
import type { ServerFrame } from '../api/realtime';
import { supportKeys } from '../api/queryKeys';
import type {
  Conversation,
  ConversationDetails,
  ConversationStatus,
  ConversationSummary,
  ConversationsResponse,
  Priority,
} from '../api/support';

/** Lists are refetched this long after the last event that touched them. */
export const LIST_REFRESH_DELAY_MS = 1_000;

type ListData = InfiniteData<ConversationsResponse, number>;
type Patch = Partial<Pick<ConversationSummary, 'lastMessage' | 'lastMessageAt' | 'status' | 'priority' | 'subject'>>;

const STATUSES: readonly string[] = ['open', 'in_progress', 'closed', 'transferred'] satisfies ConversationStatus[];
const PRIORITIES: readonly string[] = ['low', 'normal', 'high', 'urgent'] satisfies Priority[];

function isStatus(value: string | null | undefined): value is ConversationStatus {
  return value != null && STATUSES.includes(value);
}
function isPriority(value: string | null | undefined): value is Priority {
  return value != null && PRIORITIES.includes(value);
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
  patchLists(queryClient, conversationId, (c) => ({
    ...c,
    ...patch,
    ...(unread ? { unreadCount: unread(c.unreadCount) } : {}),
  }));
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
          patchDetail(queryClient, frame.conversationId, (c) => (c.status === 'closed' ? { ...c, status: 'open' } : c));
        }
        refreshListsSoon();
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
        if (change.adminId !== undefined || change.tagsAdded != null || change.archived != null) {
          // The frame carries only the assignee's id; fetch the header for the name.
          void queryClient.invalidateQueries({ queryKey: supportKeys.conversation(frame.conversationId) });
        }
        refreshListsSoon();
        break;
      }
      case 'conversation_created':
        refreshListsSoon();
        break;
      default:
        break;
    }
  }

  return {
    apply,
    dispose() {
      if (refreshTimer !== null) clearTimeout(refreshTimer);
      refreshTimer = null;
    },
  };
}
