/**
 * The real-time state as a pure reducer: per-conversation messages (deduplicated, ordered by
 * `seq`), my optimistic sends and their reconciliation by `clientMessageId`, read receipts, typing,
 * the resume point for re-joining, connection status and presence. No React, no socket: the
 * provider feeds it server frames and REST pages, the pages read it.
 */
import type {
  ConnectionStatus,
  DeliveryStatus,
  Message,
  RealtimeState,
  SenderType,
  Thread,
  ThreadMessage,
} from './types';

export const DELETED_CONTENT = '[message deleted]';

export type RealtimeAction =
  /** A (new) person signed in: nothing of the previous one survives. */
  | { type: 'session'; selfId: number }
  | { type: 'connection'; status: ConnectionStatus }
  /** The socket dropped: unconfirmed sends go back to waiting, typing indicators end. */
  | { type: 'connection_lost' }
  | { type: 'presence'; adminsOnline: number; adminIds?: readonly number[] | null | undefined }
  /** The newest page from `GET /conversations/{id}` (a first load or a refetch). */
  | {
      type: 'page_loaded';
      conversationId: number;
      ownerId: number | null;
      messages: readonly Message[];
      hasMore: boolean;
    }
  /** An older page (`beforeId`). */
  | { type: 'older_loaded'; conversationId: number; messages: readonly Message[]; hasMore: boolean }
  /** A `message` frame (live or replayed), or a REST answer for one message. */
  | { type: 'message'; message: Message }
  /** I wrote a message: it shows at once as `sending`. */
  | {
      type: 'send';
      conversationId: number;
      clientMessageId: string;
      content: string;
      senderName: string;
      senderType: SenderType;
      createdAt: string;
    }
  /** The `message` frame for it was written to an open socket. */
  | { type: 'transmitted'; conversationId: number; clientMessageId: string }
  | { type: 'ack'; conversationId: number; clientMessageId: string; messageId: number; seq: number }
  | {
      type: 'send_failed';
      /** Absent when the error frame did not say; the message is then looked up everywhere. */
      conversationId?: number | null | undefined;
      clientMessageId: string;
      code: string;
      error: string;
    }
  | { type: 'retry'; conversationId: number; clientMessageId: string }
  /** Drops a failed (or waiting) message that was never stored. */
  | { type: 'discard'; conversationId: number; clientMessageId: string }
  | { type: 'reset_required'; conversationId: number }
  | { type: 'read_receipt'; conversationId: number; userId: number; messageId: number }
  | { type: 'typing'; conversationId: number; userId: number; name: string; isTyping: boolean }
  | { type: 'message_deleted'; conversationId: number; messageId: number };

export function initialRealtimeState(selfId = 0): RealtimeState {
  return { selfId, connection: 'offline', onlineAdmins: 0, onlineAdminIds: null, threads: {} };
}

export function emptyThread(conversationId: number): Thread {
  return {
    conversationId,
    messages: [],
    loaded: false,
    hasOlder: false,
    needsRefetch: false,
    newestId: 0,
    ownerId: null,
    peerReadUpTo: 0,
    selfReadUpTo: 0,
    typing: [],
  };
}

const lower = (id: string) => id.toLowerCase();

/** Stored messages by (`seq`, `id`); a message not yet stored has no place among them. */
function before(a: ThreadMessage, b: ThreadMessage): boolean {
  if (a.seq === null || b.seq === null) return false;
  if (a.seq !== b.seq) return a.seq < b.seq;
  return (a.id ?? 0) < (b.id ?? 0);
}

/** Inserts a message: stored ones in `seq` order, pending ones after all of them, in send order. */
function insertOrdered(messages: readonly ThreadMessage[], message: ThreadMessage): ThreadMessage[] {
  const next = [...messages];
  if (message.seq === null) {
    next.push(message);
    return next;
  }
  let at = next.length;
  while (at > 0) {
    const previous = next[at - 1];
    if (previous !== undefined && previous.seq !== null && before(previous, message)) break;
    at -= 1;
  }
  next.splice(at, 0, message);
  return next;
}

function ownStatus(own: boolean, id: number, thread: Thread, readAt: string | null | undefined) {
  if (own && (readAt != null || id <= thread.peerReadUpTo)) return 'read';
  return 'delivered';
}

function sameMessage(a: ThreadMessage, b: ThreadMessage): boolean {
  return (
    a.id === b.id &&
    a.seq === b.seq &&
    a.content === b.content &&
    a.deleted === b.deleted &&
    a.status === b.status &&
    a.senderName === b.senderName &&
    a.createdAt === b.createdAt &&
    a.clientMessageId === b.clientMessageId
  );
}

function fromServer(
  message: Message,
  selfId: number,
  thread: Thread,
  previous: ThreadMessage | undefined,
): ThreadMessage {
  const own = message.senderId === selfId;
  let status: DeliveryStatus = ownStatus(own, message.id, thread, message.readAt);
  if (previous?.status === 'read') status = 'read';
  const deleted = message.deletedAt != null || previous?.deleted === true;
  return {
    key: previous?.key ?? `m${message.id}`,
    id: message.id,
    seq: message.seq,
    conversationId: message.conversationId,
    clientMessageId:
      message.clientMessageId != null ? lower(message.clientMessageId) : (previous?.clientMessageId ?? null),
    senderId: message.senderId,
    senderType: message.senderType,
    senderName: message.senderName,
    content: deleted ? DELETED_CONTENT : message.content,
    messageType: message.messageType,
    createdAt: message.createdAt,
    deleted,
    status,
    error: null,
    errorCode: null,
  };
}

/** Adds or updates a stored message: found by id, or (mine) by `clientMessageId`; never twice. */
function upsertServerMessage(thread: Thread, message: Message, selfId: number): Thread {
  let index = thread.messages.findIndex((m) => m.id === message.id);
  if (index < 0 && message.clientMessageId != null && message.senderId === selfId) {
    const clientId = lower(message.clientMessageId);
    index = thread.messages.findIndex((m) => m.clientMessageId === clientId && m.senderId === selfId);
  }
  const previous = index >= 0 ? thread.messages[index] : undefined;
  const next = fromServer(message, selfId, thread, previous);
  const newestId = Math.max(thread.newestId, message.id);
  const typing = thread.typing.some((p) => p.userId === message.senderId)
    ? thread.typing.filter((p) => p.userId !== message.senderId)
    : thread.typing;

  if (previous !== undefined && sameMessage(previous, next)) {
    if (newestId === thread.newestId && typing === thread.typing) return thread;
    return { ...thread, newestId, typing };
  }
  const without = index >= 0 ? thread.messages.filter((_, i) => i !== index) : thread.messages;
  return { ...thread, messages: insertOrdered(without, next), newestId, typing };
}

function markPeerRead(thread: Thread, upTo: number, selfId: number): Thread {
  if (upTo <= thread.peerReadUpTo) return thread;
  const messages = thread.messages.map((m) =>
    m.senderId === selfId && m.id !== null && m.id <= upTo && m.status !== 'read'
      ? { ...m, status: 'read' as const }
      : m,
  );
  const changed = messages.some((m, i) => m !== thread.messages[i]);
  return { ...thread, peerReadUpTo: upTo, messages: changed ? messages : thread.messages };
}

function mergePage(thread: Thread, messages: readonly Message[], selfId: number): Thread {
  let next = thread;
  for (const message of messages) next = upsertServerMessage(next, message, selfId);
  // `readAt` on my messages means the other side read them; on theirs, that I did.
  let peerRead = 0;
  let selfRead = next.selfReadUpTo;
  for (const message of messages) {
    if (message.readAt == null) continue;
    if (message.senderId === selfId) peerRead = Math.max(peerRead, message.id);
    else selfRead = Math.max(selfRead, message.id);
  }
  next = markPeerRead(next, peerRead, selfId);
  return selfRead === next.selfReadUpTo ? next : { ...next, selfReadUpTo: selfRead };
}

function bySeq(a: Message, b: Message) {
  return a.seq - b.seq || a.id - b.id;
}

function loadNewestPage(
  thread: Thread,
  action: Extract<RealtimeAction, { type: 'page_loaded' }>,
  selfId: number,
): Thread {
  const page = [...action.messages].sort(bySeq);
  const first = page[0];
  const stored = thread.messages.filter((m) => m.seq !== null);
  let base = thread;
  let hasOlder = action.hasMore;
  if (first !== undefined && stored.length > 0) {
    const heldSeqs = stored.map((m) => m.seq ?? 0);
    const maxHeld = Math.max(...heldSeqs);
    const minHeld = Math.min(...heldSeqs);
    if (first.seq > maxHeld + 1) {
      // A gap between what we hold and the newest page (we were too far behind): start again
      // from this page. Only my unconfirmed messages stay; older pages load on demand.
      base = { ...thread, messages: thread.messages.filter((m) => m.id === null) };
    } else if (minHeld < first.seq) {
      hasOlder = thread.hasOlder;
    }
  }
  const merged = mergePage(base, page, selfId);
  const ownerId = action.ownerId ?? merged.ownerId;
  if (merged.loaded && !merged.needsRefetch && merged.hasOlder === hasOlder && merged.ownerId === ownerId) {
    return merged;
  }
  return { ...merged, loaded: true, needsRefetch: false, hasOlder, ownerId };
}

function updateByClientId(
  thread: Thread,
  clientMessageId: string,
  update: (m: ThreadMessage) => ThreadMessage | null,
): Thread {
  const clientId = lower(clientMessageId);
  const index = thread.messages.findIndex((m) => m.clientMessageId === clientId);
  const current = thread.messages[index];
  if (current === undefined) return thread;
  const next = update(current);
  if (next === current) return thread;
  if (next === null) return { ...thread, messages: thread.messages.filter((_, i) => i !== index) };
  const messages = [...thread.messages];
  messages[index] = next;
  return { ...thread, messages };
}

function applyAck(
  thread: Thread,
  action: Extract<RealtimeAction, { type: 'ack' }>,
  selfId: number,
): Thread {
  const clientId = lower(action.clientMessageId);
  const index = thread.messages.findIndex((m) => m.clientMessageId === clientId);
  const pending = thread.messages[index];
  if (pending === undefined) return thread;
  if (pending.id !== null) {
    // The `message` frame (or a REST load) came first; only a stale failure needs undoing.
    if (pending.status !== 'failed') return thread;
    return updateByClientId(thread, clientId, (m) => ({
      ...m,
      status: ownStatus(true, action.messageId, thread, null),
      error: null,
      errorCode: null,
    }));
  }
  const without = thread.messages.filter((_, i) => i !== index);
  if (without.some((m) => m.id === action.messageId)) {
    // The stored copy is already here under another entry: the server's copy wins.
    return { ...thread, messages: without };
  }
  const confirmed: ThreadMessage = {
    ...pending,
    id: action.messageId,
    seq: action.seq,
    status: ownStatus(pending.senderId === selfId, action.messageId, thread, null),
    error: null,
    errorCode: null,
  };
  // The resume point is not moved: only messages actually received count (an ack can overtake
  // another person's message that is still on its way to us).
  return { ...thread, messages: insertOrdered(without, confirmed) };
}

function findThreadOf(state: RealtimeState, clientMessageId: string): Thread | undefined {
  const clientId = lower(clientMessageId);
  return Object.values(state.threads).find((t) =>
    t.messages.some((m) => m.clientMessageId === clientId),
  );
}

function withThread(state: RealtimeState, thread: Thread): RealtimeState {
  if (state.threads[thread.conversationId] === thread) return state;
  return { ...state, threads: { ...state.threads, [thread.conversationId]: thread } };
}

function reduceThread(
  state: RealtimeState,
  conversationId: number,
  update: (thread: Thread) => Thread,
  create = true,
): RealtimeState {
  const current = state.threads[conversationId];
  if (current === undefined && !create) return state;
  return withThread(state, update(current ?? emptyThread(conversationId)));
}

export function realtimeReducer(state: RealtimeState, action: RealtimeAction): RealtimeState {
  const { selfId } = state;
  switch (action.type) {
    case 'session':
      return action.selfId === state.selfId
        ? state
        : { ...initialRealtimeState(action.selfId), connection: state.connection };

    case 'connection':
      return action.status === state.connection ? state : { ...state, connection: action.status };

    case 'connection_lost': {
      let next = state;
      for (const thread of Object.values(state.threads)) {
        const unconfirmed = thread.messages.some((m) => m.status === 'sent');
        if (!unconfirmed && thread.typing.length === 0) continue;
        next = withThread(next, {
          ...thread,
          typing: [],
          messages: unconfirmed
            ? thread.messages.map((m) => (m.status === 'sent' ? { ...m, status: 'sending' as const } : m))
            : thread.messages,
        });
      }
      return next;
    }

    case 'presence':
      return {
        ...state,
        onlineAdmins: action.adminsOnline,
        onlineAdminIds: action.adminIds == null ? null : [...action.adminIds],
      };

    case 'page_loaded':
      return reduceThread(state, action.conversationId, (t) => loadNewestPage(t, action, selfId));

    case 'older_loaded':
      return reduceThread(state, action.conversationId, (t) => {
        const merged = mergePage(t, action.messages, selfId);
        return merged.hasOlder === action.hasMore ? merged : { ...merged, hasOlder: action.hasMore };
      });

    case 'message':
      return reduceThread(state, action.message.conversationId, (t) =>
        upsertServerMessage(t, action.message, selfId),
      );

    case 'send':
      return reduceThread(state, action.conversationId, (t) => {
        const clientId = lower(action.clientMessageId);
        if (t.messages.some((m) => m.clientMessageId === clientId)) return t;
        const pending: ThreadMessage = {
          key: `c${clientId}`,
          id: null,
          seq: null,
          conversationId: action.conversationId,
          clientMessageId: clientId,
          senderId: selfId,
          senderType: action.senderType,
          senderName: action.senderName,
          content: action.content,
          messageType: 'text',
          createdAt: action.createdAt,
          deleted: false,
          status: 'sending',
          error: null,
          errorCode: null,
        };
        return { ...t, messages: [...t.messages, pending] };
      });

    case 'transmitted':
      return reduceThread(
        state,
        action.conversationId,
        (t) =>
          updateByClientId(t, action.clientMessageId, (m) =>
            m.status === 'sending' ? { ...m, status: 'sent' } : m,
          ),
        false,
      );

    case 'ack':
      return reduceThread(state, action.conversationId, (t) => applyAck(t, action, selfId), false);

    case 'send_failed': {
      const thread =
        action.conversationId != null
          ? state.threads[action.conversationId]
          : findThreadOf(state, action.clientMessageId);
      if (thread === undefined) return state;
      return withThread(
        state,
        updateByClientId(thread, action.clientMessageId, (m) =>
          m.id !== null ? m : { ...m, status: 'failed', error: action.error, errorCode: action.code },
        ),
      );
    }

    case 'retry':
      return reduceThread(
        state,
        action.conversationId,
        (t) =>
          updateByClientId(t, action.clientMessageId, (m) =>
            m.status === 'failed' && m.id === null
              ? { ...m, status: 'sending', error: null, errorCode: null }
              : m,
          ),
        false,
      );

    case 'discard':
      return reduceThread(
        state,
        action.conversationId,
        (t) => updateByClientId(t, action.clientMessageId, (m) => (m.id === null ? null : m)),
        false,
      );

    case 'reset_required':
      return reduceThread(state, action.conversationId, (t) =>
        t.needsRefetch ? t : { ...t, needsRefetch: true },
      );

    case 'read_receipt':
      return reduceThread(state, action.conversationId, (t) => {
        if (action.userId === selfId) {
          return action.messageId > t.selfReadUpTo ? { ...t, selfReadUpTo: action.messageId } : t;
        }
        // For an admin, only the end user's receipts say the other side read the admin's messages.
        const isOtherSide = t.ownerId === null || t.ownerId === selfId || t.ownerId === action.userId;
        return isOtherSide ? markPeerRead(t, action.messageId, selfId) : t;
      });

    case 'typing':
      if (action.userId === selfId) return state;
      return reduceThread(state, action.conversationId, (t) => {
        const others = t.typing.filter((p) => p.userId !== action.userId);
        if (!action.isTyping) return others.length === t.typing.length ? t : { ...t, typing: others };
        const existing = t.typing.find((p) => p.userId === action.userId);
        if (existing?.name === action.name) return t;
        return { ...t, typing: [...others, { userId: action.userId, name: action.name }] };
      });

    case 'message_deleted':
      return reduceThread(
        state,
        action.conversationId,
        (t) => {
          const index = t.messages.findIndex((m) => m.id === action.messageId);
          const current = t.messages[index];
          if (current === undefined || current.deleted) return t;
          const messages = [...t.messages];
          messages[index] = { ...current, deleted: true, content: DELETED_CONTENT };
          return { ...t, messages };
        },
        false,
      );
  }
}

/** My messages that still have to go out, in the order they were written. */
export function messagesToSend(thread: Thread | undefined): ThreadMessage[] {
  return thread?.messages.filter((m) => m.status === 'sending' && m.id === null) ?? [];
}

/** The id to pass as `sinceMessageId` when (re-)joining: the newest message received. */
export function resumePoint(thread: Thread | undefined): number {
  return thread?.newestId ?? 0;
}

/** The newest stored message written by someone else, or 0: what a read receipt would mark. */
export function newestIncomingId(thread: Thread | undefined, selfId: number): number {
  if (thread === undefined) return 0;
  for (let i = thread.messages.length - 1; i >= 0; i -= 1) {
    const m = thread.messages[i];
    if (m !== undefined && m.id !== null && m.senderId !== selfId) return m.id;
  }
  return 0;
}
