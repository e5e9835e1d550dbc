import { unwrap, type Api } from './client';
import type { components } from './schema';

type Schemas = components['schemas'];
export type Conversation = Schemas['Conversation'];
export type ConversationSummary = Schemas['ConversationSummary'];
export type ConversationsResponse = Schemas['ConversationsResponse'];
export type ConversationDetails = Schemas['ConversationDetailsResponse'];
export type ConversationStatus = Schemas['ConversationStatus'];
export type CreatedConversation = Schemas['CreatedConversation'];
export type Priority = Schemas['Priority'];
export type Message = Schemas['Message'];

/** Server limits (see the REST reference), checked here too so people see them before sending. */
export const MESSAGE_MAX_CHARS = 10_000;
export const SUBJECT_MAX_CHARS = 255;
export const CONVERSATIONS_PAGE_SIZE = 20;
export const MESSAGES_PAGE_SIZE = 50;

export function fetchConversations(
  api: Api,
  { status, page }: { status: ConversationStatus | 'all'; page: number },
  signal?: AbortSignal,
): Promise<ConversationsResponse> {
  return unwrap(
    api.client.GET('/api/support-chat/conversations', {
      params: {
        query: {
          ...(status === 'all' ? {} : { status }),
          page,
          pageSize: CONVERSATIONS_PAGE_SIZE,
        },
      },
      ...(signal ? { signal } : {}),
    }),
  );
}

/** The conversation and its newest messages, or the page just before `beforeId`. */
export function fetchConversation(
  api: Api,
  id: number,
  { beforeId, signal }: { beforeId?: number; signal?: AbortSignal } = {},
): Promise<ConversationDetails> {
  return unwrap(
    api.client.GET('/api/support-chat/conversations/{id}', {
      params: {
        path: { id },
        query: { limit: MESSAGES_PAGE_SIZE, ...(beforeId === undefined ? {} : { beforeId }) },
      },
      ...(signal ? { signal } : {}),
    }),
  );
}

export interface NewConversation {
  subject: string;
  initialMessage: string;
  priority: Priority;
  /** Makes a double submit open one conversation, not two. */
  clientMessageId: string;
}

export function createConversation(api: Api, body: NewConversation): Promise<CreatedConversation> {
  return unwrap(api.client.POST('/api/support-chat/conversations', { body }));
}

/** Users may only close or reopen their own conversation. */
export function setConversationStatus(api: Api, id: number, status: 'open' | 'closed'): Promise<Conversation> {
  return unwrap(
    api.client.PUT('/api/support-chat/conversations/{id}', { params: { path: { id } }, body: { status } }),
  );
}
