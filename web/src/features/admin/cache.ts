import type { QueryClient } from '@tanstack/react-query';
import type { ConversationsResponse } from '../../api/support';
import type { Conversation, ConversationDetails } from '../../api/support';
import { adminKeys, supportKeys } from '../../api/queryKeys';
import { patchRow } from '../../realtime/queueMerge';

/**
 * Shows a conversation as the server returned it after a change (its queue rows and its page),
 * then refreshes the queue and the stats, whose counts and order may have changed.
 */
export function showUpdatedConversation(queryClient: QueryClient, updated: Conversation): void {
  for (const [queryKey, data] of queryClient.getQueriesData<ConversationsResponse>({ queryKey: adminKeys.queues() })) {
    if (data === undefined) continue;
    const next = patchRow(data, updated.id, (row) => ({
      ...row,
      subject: updated.subject,
      status: updated.status,
      priority: updated.priority,
      admin: updated.admin ?? null,
      tags: updated.tags,
      firstResponseMs: updated.firstResponseMs ?? null,
    }));
    if (next !== data) queryClient.setQueryData(queryKey, next);
  }
  queryClient.setQueryData<ConversationDetails>(supportKeys.conversation(updated.id), (data) =>
    data === undefined ? data : { ...data, conversation: updated },
  );
  refreshQueue(queryClient);
}

/** Refetches the queue pages and stats on screen (after an action of mine changed them). */
export function refreshQueue(queryClient: QueryClient): void {
  void queryClient.invalidateQueries({ queryKey: adminKeys.queues() });
  void queryClient.invalidateQueries({ queryKey: adminKeys.stats() });
  void queryClient.invalidateQueries({ queryKey: supportKeys.lists() });
}
