import type { components } from '../api/schema';

type Schemas = components['schemas'];
export type Message = Schemas['Message'];
export type SenderType = Schemas['SenderType'];
export type MessageType = Schemas['MessageType'];

/**
 * Where one of my messages is on its way to the other side:
 * - `sending`: made here, not yet handed to an open socket (offline, or waiting for the join);
 * - `sent`: written to the socket, the server has not confirmed it yet;
 * - `delivered`: stored by the server (an `ack`, the `message` frame, or a REST load);
 * - `read`: the other side has read it;
 * - `failed`: the server refused it or never confirmed it; kept so the person can retry.
 * Messages from other people are always `delivered`.
 */
export type DeliveryStatus = 'sending' | 'sent' | 'delivered' | 'read' | 'failed';

/** One message as the thread shows it: a stored message, or my own one still on its way. */
export interface ThreadMessage {
  /** Stable across reconciliation (the pending message keeps its key), for React lists. */
  key: string;
  /** Server id; null until the server confirmed it. */
  id: number | null;
  /** Position in the conversation; null until confirmed. */
  seq: number | null;
  conversationId: number;
  clientMessageId: string | null;
  senderId: number;
  senderType: SenderType;
  senderName: string;
  content: string;
  messageType: MessageType;
  createdAt: string;
  deleted: boolean;
  status: DeliveryStatus;
  /** Why the send failed, for `failed`. */
  error: string | null;
  /** The server code of the failure (`rate_limited`, `timeout`, …), for `failed`. */
  errorCode: string | null;
}

export interface TypingPerson {
  userId: number;
  name: string;
}

/** Everything held about one conversation's messages. */
export interface Thread {
  conversationId: number;
  /** Stored messages ordered by `seq`, then my pending ones in the order they were written. */
  messages: readonly ThreadMessage[];
  /** A REST page has been merged, so the newest id is known and joining can resume from it. */
  loaded: boolean;
  /** Older messages exist before the first one held (page back with `beforeId`). */
  hasOlder: boolean;
  /** The server said we are too far behind (`reset_required`): refetch over REST, then re-join. */
  needsRefetch: boolean;
  /** The newest message id received from the server (REST or `message` frames): the resume point. */
  newestId: number;
  /** The conversation's end user, to tell whose read receipts count as "the other side" for admins. */
  ownerId: number | null;
  /** The other side has read everything up to this id. */
  peerReadUpTo: number;
  /** I have read everything up to this id (my own receipts, or REST `readAt` on their messages). */
  selfReadUpTo: number;
  /** People typing right now (never me). */
  typing: readonly TypingPerson[];
}

export type ConnectionStatus = 'connecting' | 'connected' | 'reconnecting' | 'offline';

export interface RealtimeState {
  /** The signed-in person; decides which messages are "mine". 0 when nobody is. */
  selfId: number;
  connection: ConnectionStatus;
  /** How many admins have the app open; more than 0 means support is online. */
  onlineAdmins: number;
  /** Which admins (sent to admins only); null for end users. */
  onlineAdminIds: readonly number[] | null;
  threads: Readonly<Record<number, Thread>>;
}
