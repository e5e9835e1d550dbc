import type { QueueFilters } from './admin';
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

/** TanStack Query keys for the admin pages; live events patch and refresh these too. */
export const adminKeys = {
  all: ['admin'] as const,
  /** Every view of the admin queue, whatever the filters. */
  queues: () => ['admin', 'queue'] as const,
  /** One view; `me` in the filters means `selfId`. */
  queue: (filters: QueueFilters, selfId: number) => ['admin', 'queue', filters, selfId] as const,
  stats: () => ['admin', 'stats'] as const,
  admins: () => ['admin', 'admins'] as const,
  flags: () => ['admin', 'flags'] as const,
};

/** TanStack Query keys for the AI assistant. */
export const assistantKeys = {
  all: ['assistant'] as const,
  /** The signed-in person's assistant chats. */
  sessions: () => ['assistant', 'sessions'] as const,
  /** One chat with its turns. */
  session: (id: number) => ['assistant', 'session', id] as const,
};

/** TanStack Query keys for knowledge-base articles. */
export const knowledgeKeys = {
  all: ['kb'] as const,
  /** A published article as users read it. */
  published: (id: number) => ['kb', 'published', id] as const,
  /** The admin's article lists (drafts included). */
  adminLists: () => ['kb', 'admin', 'list'] as const,
  /** One article as the admin edits it. */
  adminArticle: (id: number) => ['kb', 'admin', 'article', id] as const,
};
