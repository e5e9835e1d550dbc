import type { ConversationStatus } from './support';

/** TanStack Query keys for support-chat data, shared by pages and the real-time provider. */
export const supportKeys = {
  all: ['support'] as const,
  /** Every conversation list, whatever the filter. */
  lists: () => ['support', 'conversations'] as const,
  list: (status: ConversationStatus | 'all') => ['support', 'conversations', { status }] as const,
  /** The header and newest page of one conversation. */
  conversation: (id: number) => ['support', 'conversation', id] as const,
};
