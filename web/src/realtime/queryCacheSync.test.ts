import { QueryClient, type InfiniteData } from '@tanstack/react-query';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { supportKeys } from '../api/queryKeys';
import type { ConversationDetails, ConversationsResponse } from '../api/support';
import { conversation, summary } from '../features/support/testUtils';
import { createQueryCacheSync, LIST_REFRESH_DELAY_MS, type QueryCacheSync } from './queryCacheSync';
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

  it('refetches the lists once, shortly after a burst of events', async () => {
    seed();
    const invalidate = vi.spyOn(queryClient, 'invalidateQueries');
    for (let i = 0; i < 5; i += 1) {
      sync.apply({ type: 'message', conversationId: 7, data: serverMessage({ id: 10 + i }) }, ANN);
    }
    expect(invalidate).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(LIST_REFRESH_DELAY_MS);
    expect(invalidate).toHaveBeenCalledTimes(1);
    expect(invalidate).toHaveBeenCalledWith({ queryKey: supportKeys.lists() });
  });
});
