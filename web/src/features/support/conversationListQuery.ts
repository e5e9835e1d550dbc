import { infiniteQueryOptions } from '@tanstack/react-query';
import type { Api } from '../../api/client';
import { supportKeys } from '../../api/queryKeys';
import { fetchConversations, type ConversationStatus } from '../../api/support';

/** My conversations, page by page; `/support` and the dashboard card share this cache entry. */
export function conversationListQuery(api: Api, status: ConversationStatus | 'all') {
  return infiniteQueryOptions({
    queryKey: supportKeys.list(status),
    queryFn: ({ pageParam, signal }) => fetchConversations(api, { status, page: pageParam }, signal),
    initialPageParam: 1,
    getNextPageParam: (last) => (last.pagination.hasMore ? last.pagination.page + 1 : undefined),
  });
}
