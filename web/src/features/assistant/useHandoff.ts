import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { useApi } from '../../api/ApiContext';
import { handOffToHuman } from '../../api/assistant';
import { isApiError } from '../../api/client';
import { assistantKeys, supportKeys } from '../../api/queryKeys';
import type { ConversationDetails } from '../../api/support';
import { meQueryKey } from '../auth/authApi';

/** Where a person goes to reach support without the assistant's chat. */
export const NEW_SUPPORT_PATH = '/support/new';

export interface HandoffTarget {
  /** The chat to hand over; null when there is nothing to hand over (nothing asked yet). */
  sessionId: number | null;
  /** False when the hand-off is known to be off for this person (the `ai_handoff` flag). */
  available: boolean;
}

/** Hand-offs are off for this person (403), or the chat holds nothing to hand over yet (409). */
function leadsToNewConversation(error: unknown): boolean {
  return (isApiError(error, 403) && error.code === 'feature_disabled') || isApiError(error, 409);
}

/**
 * "Talk to a human": hands the assistant chat to the support team and opens the conversation
 * it became. When there is nothing to hand over, or hand-offs are off for this person, it opens
 * a new support conversation instead: a person can always be reached.
 */
export function useHandoff({ sessionId, available }: HandoffTarget) {
  const api = useApi();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const mutation = useMutation({
    mutationFn: (id: number) => handOffToHuman(api, id),
    onSuccess: async (handed) => {
      const id = handed.conversation.id;
      queryClient.setQueryData<ConversationDetails>(supportKeys.conversation(id), {
        conversation: handed.conversation,
        messages: [handed.message],
        hasMore: false,
      });
      void queryClient.invalidateQueries({ queryKey: supportKeys.lists() });
      void queryClient.invalidateQueries({ queryKey: assistantKeys.all });
      await navigate(`/support/${id}`);
    },
    onError: async (error) => {
      if (!leadsToNewConversation(error)) return;
      // The flags this page knew were out of date: fetch them again.
      if (isApiError(error, 403)) void queryClient.invalidateQueries({ queryKey: meQueryKey });
      await navigate(NEW_SUPPORT_PATH);
    },
  });

  function talkToHuman() {
    if (mutation.isPending) return;
    if (sessionId === null || !available) {
      void navigate(NEW_SUPPORT_PATH);
      return;
    }
    mutation.mutate(sessionId);
  }

  const failed = mutation.isError && !leadsToNewConversation(mutation.error);
  return { talkToHuman, pending: mutation.isPending, error: failed ? mutation.error : null };
}
