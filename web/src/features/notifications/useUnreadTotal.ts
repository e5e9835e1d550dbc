import { useInfiniteQuery } from '@tanstack/react-query';
import { useApi } from '../../api/ApiContext';
import { conversationListQuery } from '../support/conversationListQuery';
import { useSupportChatEnabled } from '../support/SupportGate';

/**
 * Unread messages in my most recently active conversations (the first page of `/support`'s list,
 * the same figure the dashboard card shows). The real-time provider bumps it on every
 * notification and refetches the list, so it follows live.
 */
export function useUnreadTotal(): number {
  const api = useApi();
  const enabled = useSupportChatEnabled();
  const query = useInfiniteQuery({ ...conversationListQuery(api, 'all'), enabled });
  if (!enabled) return 0;
  return (query.data?.pages[0]?.conversations ?? []).reduce((sum, c) => sum + c.unreadCount, 0);
}
