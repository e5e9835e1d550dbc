import { useQuery } from '@tanstack/react-query';
import { useCallback, useEffect, useState } from 'react';
import { useApi } from '../../api/ApiContext';
import { supportKeys } from '../../api/queryKeys';
import { fetchConversation } from '../../api/support';
import { useRealtime, useThread } from '../../realtime/RealtimeContext';

export interface OlderState {
  loading: boolean;
  error: unknown;
}

/**
 * One conversation: its header and newest page over REST, merged into the live thread, which
 * stays joined on the socket while the page shows it. Refetches (after `reset_required`, or when
 * the page comes back) merge in too; nothing shows twice.
 */
export function useConversationThread(conversationId: number) {
  const api = useApi();
  const { store, client } = useRealtime();
  const details = useQuery({
    queryKey: supportKeys.conversation(conversationId),
    queryFn: ({ signal }) => fetchConversation(api, conversationId, { signal }),
  });
  const thread = useThread(conversationId);

  const { data, dataUpdatedAt } = details;
  useEffect(() => {
    if (data === undefined) return;
    store.dispatch({
      type: 'page_loaded',
      conversationId,
      ownerId: data.conversation.user.id,
      messages: data.messages,
      hasMore: data.hasMore,
    });
    // `dataUpdatedAt`: a refetch that brought identical data must still clear a pending refetch.
  }, [store, conversationId, data, dataUpdatedAt]);

  useEffect(() => client.watch(conversationId), [client, conversationId]);

  const [older, setOlder] = useState<OlderState>({ loading: false, error: null });
  const loadOlder = useCallback(async () => {
    const first = store.getState().threads[conversationId]?.messages.find((m) => m.id !== null);
    if (first?.id == null) return;
    setOlder({ loading: true, error: null });
    try {
      const page = await fetchConversation(api, conversationId, { beforeId: first.id });
      store.dispatch({ type: 'older_loaded', conversationId, messages: page.messages, hasMore: page.hasMore });
      setOlder({ loading: false, error: null });
    } catch (error) {
      setOlder({ loading: false, error });
    }
  }, [api, store, conversationId]);

  return { details, thread, loadOlder, older };
}
