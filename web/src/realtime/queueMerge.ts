/**
 * Live events merged into one page of the admin queue, so a new conversation or a change shows
 * at once; the page is refetched shortly after for the server's true order and counts. Pure
 * functions: the same page comes back (===) when an event does not touch it.
 */
import type { PersonRef, QueueFilters } from '../api/admin';
import type { ConversationChange } from '../api/admin';
import type { components } from '../api/schema';
import type { ConversationStatus, ConversationSummary, ConversationsResponse, Priority } from '../api/support';

type ConversationCreatedData = components['schemas']['ConversationCreatedData'];

const STATUSES: readonly string[] = ['open', 'in_progress', 'closed', 'transferred'] satisfies ConversationStatus[];
const PRIORITIES: readonly string[] = ['low', 'normal', 'high', 'urgent'] satisfies Priority[];

export function isStatus(value: string | null | undefined): value is ConversationStatus {
  return value != null && STATUSES.includes(value);
}
export function isPriority(value: string | null | undefined): value is Priority {
  return value != null && PRIORITIES.includes(value);
}

/** The list row for a conversation announced by `conversation_created`. */
export function summaryFromCreated({ conversation, message }: ConversationCreatedData): ConversationSummary {
  return {
    id: conversation.id,
    subject: conversation.subject,
    status: conversation.status,
    priority: conversation.priority,
    type: conversation.type,
    createdAt: conversation.createdAt,
    updatedAt: conversation.updatedAt,
    lastMessage: message.content,
    lastMessageAt: message.createdAt,
    // The frame is the same for every admin: its first message is unread for all of them.
    unreadCount: message.senderType === 'user' ? Math.max(conversation.unreadCount, 1) : conversation.unreadCount,
    admin: conversation.admin ?? null,
    user: conversation.user,
    tags: conversation.tags,
    firstResponseMs: conversation.firstResponseMs ?? null,
  };
}

/** Whether a (live, not archived) conversation falls inside a queue view's filters. */
export function belongsInView(row: ConversationSummary, filters: QueueFilters, selfId: number): boolean {
  if (filters.archived) return false;
  if (filters.status !== null && row.status !== filters.status) return false;
  if (filters.priority !== null && row.priority !== filters.priority) return false;
  const adminId = row.admin?.id ?? null;
  if (filters.assignee === 'unassigned' && adminId !== null) return false;
  if (filters.assignee === 'me' && adminId !== selfId) return false;
  if (typeof filters.assignee === 'number' && adminId !== filters.assignee) return false;
  const tag = filters.tag.trim().toLowerCase();
  if (tag !== '' && !row.tags.includes(tag)) return false;
  const q = filters.q.trim().toLowerCase();
  if (q !== '') {
    const inSubject = row.subject.toLowerCase().includes(q);
    const inMessage = (row.lastMessage ?? '').slice(0, 200).toLowerCase().includes(q);
    if (!inSubject && !inMessage) return false;
  }
  return true;
}

/**
 * Puts a new conversation at the top of the first page of a view it belongs in, when that view
 * lists the newest first. Other orders wait for the refetch to place it.
 */
export function insertCreated(
  page: ConversationsResponse,
  row: ConversationSummary,
  filters: QueueFilters,
  selfId: number,
): ConversationsResponse {
  if (filters.page !== 1 || page.pagination.page !== 1) return page;
  if (page.conversations.some((c) => c.id === row.id)) return page;
  if (!belongsInView(row, filters, selfId)) return page;
  let index: number;
  if (filters.sort === 'newest' || filters.sort === 'created') {
    index = 0;
  } else if (filters.sort === 'priority') {
    // Urgent first; within one priority the latest activity first, which a new one has.
    const rank = PRIORITIES.indexOf(row.priority);
    const after = page.conversations.findIndex((c) => PRIORITIES.indexOf(c.priority) <= rank);
    index = after === -1 ? page.conversations.length : after;
  } else {
    return page;
  }
  const conversations = [...page.conversations.slice(0, index), row, ...page.conversations.slice(index)];
  const { pageSize } = page.pagination;
  const overflow = conversations.length > pageSize;
  return {
    conversations: overflow ? conversations.slice(0, pageSize) : conversations,
    pagination: {
      ...page.pagination,
      total: page.pagination.total + 1,
      hasMore: page.pagination.hasMore || overflow,
    },
  };
}

/** Applies `update` to the row with this id; the same page when it is not there. */
export function patchRow(
  page: ConversationsResponse,
  conversationId: number,
  update: (row: ConversationSummary) => ConversationSummary,
): ConversationsResponse {
  if (!page.conversations.some((c) => c.id === conversationId)) return page;
  return { ...page, conversations: page.conversations.map((c) => (c.id === conversationId ? update(c) : c)) };
}

/**
 * A `conversation_updated` change on a queue page. The frame names the assignee by id only: the
 * name comes from `admins` (the assignment picker's list) when known. An archived or restored
 * conversation leaves a view of the other kind.
 */
export function applyChange(
  page: ConversationsResponse,
  conversationId: number,
  change: ConversationChange,
  filters: QueueFilters,
  admins: readonly PersonRef[] | undefined,
): ConversationsResponse {
  if (change.archived != null && change.archived !== filters.archived) {
    if (!page.conversations.some((c) => c.id === conversationId)) return page;
    return {
      conversations: page.conversations.filter((c) => c.id !== conversationId),
      pagination: { ...page.pagination, total: Math.max(0, page.pagination.total - 1) },
    };
  }
  return patchRow(page, conversationId, (row) => {
    const next = { ...row };
    if (isStatus(change.status)) next.status = change.status;
    if (isPriority(change.priority)) next.priority = change.priority;
    if (change.subject != null) next.subject = change.subject;
    if (change.adminId === null) next.admin = null;
    else if (change.adminId !== undefined && change.adminId !== row.admin?.id) {
      const known = admins?.find((a) => a.id === change.adminId);
      next.admin = known ? { id: known.id, name: known.name } : { id: change.adminId, name: `Admin #${change.adminId}` };
    }
    if (change.tagsAdded != null && change.tagsAdded.length > 0) {
      const tags = new Set(row.tags);
      for (const tag of change.tagsAdded) tags.add(tag.trim().toLowerCase());
      next.tags = [...tags].sort();
    }
    return next;
  });
}
