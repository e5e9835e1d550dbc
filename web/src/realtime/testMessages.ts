import type { Message } from './types';

/** A stored message as the server sends it, for tests. Defaults: Ann (id 2, the end user) wrote it. */
export function serverMessage(overrides: Partial<Message> & { id: number }): Message {
  return {
    conversationId: 7,
    seq: overrides.id,
    senderId: 2,
    senderType: 'user',
    senderName: 'Ann',
    content: `message ${overrides.id}`,
    messageType: 'text',
    createdAt: '2026-11-24T10:00:00Z',
    readAt: null,
    ...overrides,
  };
}
