import { QueryClient, type InfiniteData } from '@tanstack/react-query';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_FILTERS } from '../api/admin';
import { adminKeys, supportKeys } from '../api/queryKeys';
import type { ConversationDetails, ConversationsResponse } from '../api/support';
import { conversation, summary } from '../features/support/testUtils';
import { ADMIN_REFRESH_DELAY_MS, createQueryCacheSync, LIST_REFRESH_DELAY_MS, type QueryCacheSync } from './queryCacheSync';
import { serverMessage } from './testMessages';

const ANN = 2;
let queryClient: QueryClient;
let sync: QueryCacheSync;

function seed(rows = [summary({ id: 7 }), summary({ id: 8, subject: 'Other' })]) {
  const list: InfiniteData<ConversationsResponse, number> = {
    pages: [{ conversations: rows, pagination: { page: 1, pageSize: 20, total: rows.length, hasMore: false } }],
    pageParams: [1],
  };
  queryClient.setQueryData(supportKeys.list('all'), list);
  queryClient.setQueryData<ConversationDetails>(supportKeys.conversation(7), {
    conversation: conversation({ id: 7 }),
    messages: [],
    hasMore: false,
  });
}

function sameKey(a: unknown, b: readonly unknown[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function row(id: number) {
  const data = queryClient.getQueryData<InfiniteData<ConversationsResponse, number>>(supportKeys.list('all'));
  return data?.pages[0]?.conversations.find((c) => c.id === id);
}

beforeEach(() => {
  vi.useFakeTimers();
  queryClient = new QueryClient();
  sync = createQueryCacheSync(queryClient);
});
afterEach(() => {
  sync.dispose();
  vi.useRealTimers();
});

describe('live events in the query caches', () => {
  it('puts a new message in its list row as preview and time, leaving other rows alone', () => {
    seed();
    const other = row(8);
    sync.apply(
      { type: 'message', conversationId: 7, data: serverMessage({ id: 9, content: 'Fixed now', createdAt: '2026-11-24T12:00:00Z', senderId: 1, senderType: 'admin' }) },
      ANN,
    );
    expect(row(7)).toMatchObject({ lastMessage: 'Fixed now', lastMessageAt: '2026-11-24T12:00:00Z' });
    expect(row(8)).toBe(other);
  });

  it('counts a notification as unread and shows its preview', () => {
    seed([summary({ id: 7, unreadCount: 1 })]);
    sync.apply(
      { type: 'notification', conversationId: 7, data: { kind: 'message', messageId: 9, senderName: 'Ada', preview: 'On it', urgent: false } },
      ANN,
    );
    expect(row(7)).toMatchObject({ unreadCount: 2, lastMessage: 'On it' });
  });

  it('clears the unread count when I read the conversation (on any of my tabs)', () => {
    seed([summary({ id: 7, unreadCount: 3 })]);
    sync.apply({ type: 'read_receipt', conversationId: 7, data: { userId: 1, messageId: 9 } }, ANN);
    expect(row(7)?.unreadCount).toBe(3);
    sync.apply({ type: 'read_receipt', conversationId: 7, data: { userId: ANN, messageId: 9 } }, ANN);
    expect(row(7)?.unreadCount).toBe(0);
  });

  it('applies status changes to the list and the open conversation', () => {
    seed();
    sync.apply({ type: 'conversation_updated', conversationId: 7, data: { status: 'in_progress' } }, ANN);
    expect(row(7)?.status).toBe('in_progress');
    expect(queryClient.getQueryData<ConversationDetails>(supportKeys.conversation(7))?.conversation.status).toBe('in_progress');
  });

  it('reopens a closed conversation when the end user writes in it', () => {
    seed([summary({ id: 7, status: 'closed' })]);
    sync.apply({ type: 'message', conversationId: 7, data: serverMessage({ id: 9, conversationId: 7 }) }, ANN);
    expect(row(7)?.status).toBe('open');
  });

  it('shows the response time on the open conversation as soon as the first admin reply arrives', () => {
    queryClient.setQueryData<ConversationDetails>(supportKeys.conversation(7), {
      conversation: conversation({ id: 7, createdAt: '2026-11-24T10:00:00Z', firstResponseMs: null, firstResponseAt: null }),
      messages: [],
      hasMore: false,
    });
    const detail = () => queryClient.getQueryData<ConversationDetails>(supportKeys.conversation(7))?.conversation;
    sync.apply(
      { type: 'message', conversationId: 7, data: serverMessage({ id: 9, conversationId: 7, createdAt: '2026-11-24T10:00:05Z' }) },
      ANN,
    );
    expect(detail()?.firstResponseMs ?? null).toBeNull();
    sync.apply(
      {
        type: 'message',
        conversationId: 7,
        data: serverMessage({ id: 10, conversationId: 7, senderType: 'admin', createdAt: '2026-11-24T10:02:00Z' }),
      },
      ANN,
    );
    expect(detail()?.firstResponseMs).toBe(120_000);
    expect(detail()?.firstResponseAt).toBe('2026-11-24T10:02:00Z');
    // A later reply does not move the first response.
    sync.apply(
      {
        type: 'message',
        conversationId: 7,
        data: serverMessage({ id: 11, conversationId: 7, senderType: 'admin', createdAt: '2026-11-24T10:09:00Z' }),
      },
      ANN,
    );
    expect(detail()?.firstResponseMs).toBe(120_000);
  });

  it('refetches the lists once, shortly after a burst of events', async () => {
    seed();
    const invalidate = vi.spyOn(queryClient, 'invalidateQueries');
    for (let i = 0; i < 5; i += 1) {
      sync.apply({ type: 'message', conversationId: 7, data: serverMessage({ id: 10 + i }) }, ANN);
    }
    expect(invalidate).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(LIST_REFRESH_DELAY_MS);
    const listRefreshes = invalidate.mock.calls.filter(([filters]) => sameKey(filters?.queryKey, supportKeys.lists()));
    expect(listRefreshes).toHaveLength(1);
  });
});

describe('live events in the admin queue', () => {
  const ME = 1;
  const filters = { ...DEFAULT_FILTERS };

  function seedQueue(rows = [summary({ id: 7 }), summary({ id: 8, subject: 'Other' })]) {
    queryClient.setQueryData<ConversationsResponse>(adminKeys.queue(filters, ME), {
      conversations: rows,
      pagination: { page: 1, pageSize: 25, total: rows.length, hasMore: false },
    });
  }
  function queue() {
    return queryClient.getQueryData<ConversationsResponse>(adminKeys.queue(filters, ME));
  }

  it('puts a new conversation on top of the queue at once', () => {
    seedQueue();
    sync.apply(
      {
        type: 'conversation_created',
        conversationId: 50,
        data: { conversation: conversation({ id: 50, subject: 'New one' }), message: serverMessage({ id: 90, conversationId: 50 }) },
      },
      ME,
    );
    expect(queue()?.conversations.map((c) => c.subject)).toEqual(['New one', 'Cannot export invoices', 'Other']);
    expect(queue()?.pagination.total).toBe(3);
  });

  it('shows an assignment with the admin name it knows', () => {
    seedQueue();
    queryClient.setQueryData(adminKeys.admins(), [{ id: 3, name: 'Bo' }]);
    sync.apply({ type: 'conversation_updated', conversationId: 8, data: { adminId: 3, status: 'in_progress' } }, ME);
    expect(queue()?.conversations[1]).toMatchObject({ admin: { id: 3, name: 'Bo' }, status: 'in_progress' });
  });

  it('counts a notification as unread in the queue too', () => {
    seedQueue([summary({ id: 7, unreadCount: 0 })]);
    sync.apply(
      { type: 'notification', conversationId: 7, data: { kind: 'message', messageId: 9, senderName: 'Ann', preview: 'Hello?', urgent: true } },
      ME,
    );
    expect(queue()?.conversations[0]).toMatchObject({ unreadCount: 1, lastMessage: 'Hello?' });
  });

  it('refreshes the queue and the stats once per second however many events arrive', async () => {
    seedQueue();
    const invalidate = vi.spyOn(queryClient, 'invalidateQueries');
    const adminRefreshes = () => invalidate.mock.calls.filter(([f]) => sameKey(f?.queryKey, adminKeys.queues())).length;
    const statsRefreshes = () => invalidate.mock.calls.filter(([f]) => sameKey(f?.queryKey, adminKeys.stats())).length;

    // A steady stream, one event every 200 ms for 3 seconds.
    for (let i = 0; i < 15; i += 1) {
      sync.apply({ type: 'conversation_updated', conversationId: 7, data: { priority: i % 2 === 0 ? 'high' : 'low' } }, ME);
      await vi.advanceTimersByTimeAsync(200);
    }
    await vi.advanceTimersByTimeAsync(ADMIN_REFRESH_DELAY_MS);

    // Not one per event, and not starved until the stream stops either.
    expect(adminRefreshes()).toBe(3);
    expect(statsRefreshes()).toBe(3);
  });
});
