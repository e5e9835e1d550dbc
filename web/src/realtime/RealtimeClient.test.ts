import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeSocketFactory, type FakeSocket } from './fakeSocket';
import { ACK_TIMEOUT_MS, DEAD_AFTER_MS, HEARTBEAT_MS, RealtimeClient, type RealtimeClientOptions } from './RealtimeClient';
import { createRealtimeStore, type RealtimeStore } from './store';
import { serverMessage } from './testMessages';
import { initialRealtimeState } from './threadReducer';
import { TYPING_STALE_MS } from './typingNotifier';

const ANN = 2;
const ADA = 1;
const CONV = 7;
const ME = { name: 'Ann', type: 'user' as const };

let store: RealtimeStore;
let sockets: ReturnType<typeof fakeSocketFactory>;
let client: RealtimeClient;

function makeClient(options: Partial<RealtimeClientOptions> = {}) {
  client = new RealtimeClient({
    store,
    url: () => 'ws://support.test/api/support-chat/ws',
    createSocket: sockets.create,
    random: () => 0,
    ...options,
  });
  return client;
}

function loadConversation(ids: number[], conversationId = CONV) {
  store.dispatch({
    type: 'page_loaded',
    conversationId,
    ownerId: ANN,
    messages: ids.map((id) => serverMessage({ id, conversationId })),
    hasMore: false,
  });
}

function joinedOk(socket: FakeSocket, lastMessageId: number, conversationId = CONV) {
  socket.receive({ type: 'joined', conversationId, data: { lastMessageId } });
}

function thread() {
  const t = store.getState().threads[CONV];
  if (t === undefined) throw new Error('no thread');
  return t;
}

beforeEach(() => {
  vi.useFakeTimers();
  store = createRealtimeStore(initialRealtimeState(ANN));
  sockets = fakeSocketFactory();
});

afterEach(() => {
  client.dispose();
  vi.useRealTimers();
});

describe('connecting and joining', () => {
  it('joins a shown conversation from the newest message held, once it is loaded', () => {
    makeClient().start();
    const socket = sockets.latest();
    expect(socket.url).toBe('ws://support.test/api/support-chat/ws');
    expect(store.getState().connection).toBe('connecting');
    socket.open();
    expect(store.getState().connection).toBe('connected');

    client.watch(CONV);
    expect(socket.framesOfType('join_conversation')).toEqual([]);
    loadConversation([1, 2, 3]);
    expect(socket.framesOfType('join_conversation')).toEqual([
      { type: 'join_conversation', conversationId: CONV, data: { sinceMessageId: 3 } },
    ]);
  });

  it('leaves a conversation when no screen shows it any more', () => {
    makeClient().start();
    const socket = sockets.latest();
    socket.open();
    loadConversation([1]);
    const unwatch = client.watch(CONV);
    joinedOk(socket, 1);
    unwatch();
    expect(socket.framesOfType('leave_conversation')).toEqual([{ type: 'leave_conversation', conversationId: CONV }]);
  });

  it('reconnects with growing, jittered delays and re-joins from the newest message it received', () => {
    makeClient().start();
    let socket = sockets.latest();
    socket.open();
    loadConversation([1, 2]);
    client.watch(CONV);
    joinedOk(socket, 2);
    socket.receive({ type: 'message', conversationId: CONV, data: serverMessage({ id: 5, senderId: ADA }) });

    socket.drop(1006);
    expect(store.getState().connection).toBe('reconnecting');
    expect(sockets.sockets).toHaveLength(1);
    vi.advanceTimersByTime(249);
    expect(sockets.sockets).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(sockets.sockets).toHaveLength(2);

    // The second attempt fails too: the next wait is twice as long.
    sockets.latest().drop(1006);
    vi.advanceTimersByTime(499);
    expect(sockets.sockets).toHaveLength(2);
    vi.advanceTimersByTime(1);
    socket = sockets.latest();
    socket.open();
    expect(socket.framesOfType('join_conversation')).toEqual([
      { type: 'join_conversation', conversationId: CONV, data: { sinceMessageId: 5 } },
    ]);
    expect(store.getState().connection).toBe('connected');
  });

  it('asks for the session when the handshake fails, since browsers hide the status', () => {
    const onHandshakeFailed = vi.fn();
    makeClient({ onHandshakeFailed }).start();
    sockets.latest().drop(1006);
    expect(onHandshakeFailed).toHaveBeenCalledTimes(1);
  });

  it('reconnects at once when the browser comes back online', () => {
    makeClient().start();
    sockets.latest().drop(1006);
    client.setNetworkOnline(false);
    expect(store.getState().connection).toBe('offline');
    client.setNetworkOnline(true);
    expect(sockets.sockets).toHaveLength(2);
  });

  it('drops an open socket when the browser goes offline, waits, and reconnects when it is back', () => {
    makeClient().start();
    const socket = sockets.latest();
    socket.open();
    loadConversation([1]);
    client.watch(CONV);
    joinedOk(socket, 1);

    client.setNetworkOnline(false);
    expect(socket.closedWith).toEqual({ code: 1000, reason: 'offline' });
    expect(store.getState().connection).toBe('offline');
    const clientMessageId = client.send(CONV, 'written offline', ME);
    expect(thread().messages.at(-1)?.status).toBe('sending');
    // No attempts while offline, however long it lasts.
    vi.advanceTimersByTime(60_000);
    expect(sockets.sockets).toHaveLength(1);

    client.setNetworkOnline(true);
    expect(sockets.sockets).toHaveLength(2);
    const next = sockets.latest();
    next.open();
    joinedOk(next, 1);
    expect(next.framesOfType('message')).toEqual([
      { type: 'message', conversationId: CONV, data: { content: 'written offline', clientMessageId } },
    ]);
  });

  it('makes no attempt while offline when the socket was already gone', () => {
    makeClient().start();
    sockets.latest().drop(1006);
    client.setNetworkOnline(false);
    vi.advanceTimersByTime(60_000);
    expect(sockets.sockets).toHaveLength(1);
    expect(store.getState().connection).toBe('offline');
  });

  it('replaces a socket that has gone silent', () => {
    makeClient().start();
    const socket = sockets.latest();
    socket.open();
    vi.advanceTimersByTime(HEARTBEAT_MS);
    expect(socket.framesOfType('ping')).toHaveLength(1);
    vi.advanceTimersByTime(DEAD_AFTER_MS);
    expect(socket.closedWith?.code).toBe(4000);
    expect(store.getState().connection).toBe('reconnecting');
  });
});

describe('sign-out and feature flag closes', () => {
  it('treats 1008 "signed out" as signed out: no reconnection when the session is gone', async () => {
    const onSignedOut = vi.fn(() => Promise.resolve(false));
    makeClient({ onSignedOut }).start();
    sockets.latest().open();
    sockets.latest().drop(1008, 'signed out');
    await vi.runAllTimersAsync();
    expect(onSignedOut).toHaveBeenCalledTimes(1);
    expect(sockets.sockets).toHaveLength(1);
  });

  it('reconnects at once after 1008 "signed out" when the session is still good', async () => {
    makeClient({ onSignedOut: () => Promise.resolve(true) }).start();
    sockets.latest().open();
    sockets.latest().drop(1008, 'signed out');
    await Promise.resolve();
    await Promise.resolve();
    expect(sockets.sockets).toHaveLength(2);
  });

  it('refreshes the session and reconnects after 1008 "account changed: reconnect"', () => {
    const onAccountChanged = vi.fn();
    makeClient({ onAccountChanged }).start();
    sockets.latest().open();
    sockets.latest().drop(1008, 'account changed: reconnect');
    expect(onAccountChanged).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(500);
    expect(sockets.sockets).toHaveLength(2);
  });

  it('stops when support chat is turned off', async () => {
    const onFeatureOff = vi.fn();
    makeClient({ onFeatureOff }).start();
    sockets.latest().open();
    sockets.latest().drop(1008, 'support chat is turned off');
    await vi.runAllTimersAsync();
    expect(onFeatureOff).toHaveBeenCalledTimes(1);
    expect(sockets.sockets).toHaveLength(1);
    expect(store.getState().connection).toBe('offline');
  });
});

describe('sending', () => {
  function connectedAndJoined() {
    makeClient().start();
    const socket = sockets.latest();
    socket.open();
    loadConversation([1]);
    client.watch(CONV);
    joinedOk(socket, 1);
    return socket;
  }

  it('sends a message at once when joined, and reconciles it by its ack', () => {
    const socket = connectedAndJoined();
    const clientMessageId = client.send(CONV, 'Any news?', ME);
    expect(socket.framesOfType('message')).toEqual([
      { type: 'message', conversationId: CONV, data: { content: 'Any news?', clientMessageId } },
    ]);
    expect(thread().messages.at(-1)?.status).toBe('sent');
    socket.receive({ type: 'ack', conversationId: CONV, data: { clientMessageId, messageId: 2, seq: 2 } });
    expect(thread().messages.at(-1)).toMatchObject({ id: 2, status: 'delivered' });
  });

  it('queues messages written while offline and sends them once, in order, after re-joining', () => {
    const socket = connectedAndJoined();
    socket.drop(1006);
    const first = client.send(CONV, 'first', ME);
    const second = client.send(CONV, 'second', ME);
    expect(thread().messages.slice(-2).map((m) => m.status)).toEqual(['sending', 'sending']);

    vi.advanceTimersByTime(500);
    const next = sockets.latest();
    next.open();
    // Nothing goes out before the join has caught up.
    expect(next.framesOfType('message')).toEqual([]);
    joinedOk(next, 1);
    expect(next.framesOfType('message').map((f) => [f.data.clientMessageId, f.data.content])).toEqual([
      [first, 'first'],
      [second, 'second'],
    ]);
    // Another store change must not send them again.
    next.receive({ type: 'message', conversationId: CONV, data: serverMessage({ id: 9, senderId: ADA }) });
    expect(next.framesOfType('message')).toHaveLength(2);
  });

  it('resends a message whose ack was lost with the same clientMessageId, and not one that was acked', () => {
    const socket = connectedAndJoined();
    const acked = client.send(CONV, 'acked', ME);
    const unacked = client.send(CONV, 'unacked', ME);
    socket.receive({ type: 'ack', conversationId: CONV, data: { clientMessageId: acked, messageId: 2, seq: 2 } });
    socket.drop(1006);

    vi.advanceTimersByTime(500);
    const next = sockets.latest();
    next.open();
    joinedOk(next, 1);
    expect(next.framesOfType('message').map((f) => f.data.clientMessageId)).toEqual([unacked]);
  });

  it('marks a send failed when the server refuses it, and Retry sends the same message again', () => {
    const socket = connectedAndJoined();
    const clientMessageId = client.send(CONV, 'x', ME);
    socket.receive({
      type: 'error',
      conversationId: CONV,
      data: { code: 'validation_failed', message: 'content is too long', clientMessageId },
    });
    expect(thread().messages.at(-1)).toMatchObject({ status: 'failed', error: 'content is too long' });

    client.retry(CONV, clientMessageId);
    expect(socket.framesOfType('message').map((f) => f.data.clientMessageId)).toEqual([clientMessageId, clientMessageId]);
  });

  it('marks a send failed when no ack comes in time', () => {
    connectedAndJoined();
    client.send(CONV, 'hello?', ME);
    vi.advanceTimersByTime(ACK_TIMEOUT_MS - 1);
    expect(thread().messages.at(-1)?.status).toBe('sent');
    vi.advanceTimersByTime(1);
    expect(thread().messages.at(-1)).toMatchObject({ status: 'failed', errorCode: 'timeout' });
  });

  it('waits as told when sending too fast, then sends again, keeping later messages behind it', () => {
    const socket = connectedAndJoined();
    const first = client.send(CONV, 'first', ME);
    socket.receive({
      type: 'error',
      conversationId: CONV,
      data: { code: 'rate_limited', message: 'Sending too fast', clientMessageId: first, retryAfter: 2 },
    });
    const second = client.send(CONV, 'second', ME);
    expect(thread().messages.slice(-2).map((m) => m.status)).toEqual(['sending', 'sending']);
    expect(socket.framesOfType('message').map((f) => f.data.clientMessageId)).toEqual([first]);

    vi.advanceTimersByTime(2000);
    expect(socket.framesOfType('message').map((f) => f.data.clientMessageId)).toEqual([first, first, second]);
  });

  it('keeps a conversation with unsent messages joined after its screen is gone', () => {
    const socket = connectedAndJoined();
    socket.drop(1006);
    client.send(CONV, 'later', ME);
    // The person navigates away while offline.
    const unwatchAgain = client.watch(CONV);
    unwatchAgain();
    vi.advanceTimersByTime(500);
    const next = sockets.latest();
    next.open();
    expect(next.framesOfType('join_conversation')).toHaveLength(1);
  });
});

describe('catching up', () => {
  it('on reset_required asks for a refetch, and joins again from the refetched newest id', () => {
    const onResetRequired = vi.fn();
    makeClient({ onResetRequired }).start();
    const socket = sockets.latest();
    socket.open();
    loadConversation([1, 2]);
    client.watch(CONV);
    socket.receive({ type: 'reset_required', conversationId: CONV, data: { missed: 501, lastMessageId: 900 } });
    expect(onResetRequired).toHaveBeenCalledWith(CONV);
    expect(thread().needsRefetch).toBe(true);
    expect(socket.framesOfType('join_conversation')).toHaveLength(1);

    loadConversation([850, 900]);
    expect(socket.framesOfType('join_conversation').at(-1)).toEqual({
      type: 'join_conversation',
      conversationId: CONV,
      data: { sinceMessageId: 900 },
    });
  });

  it('tries a failed join again a little later', () => {
    makeClient().start();
    const socket = sockets.latest();
    socket.open();
    loadConversation([1]);
    client.watch(CONV);
    socket.receive({ type: 'error', conversationId: CONV, data: { code: 'unavailable', message: 'busy' } });
    expect(socket.framesOfType('join_conversation')).toHaveLength(1);
    vi.advanceTimersByTime(3000);
    expect(socket.framesOfType('join_conversation')).toHaveLength(2);
  });
});

describe('read receipts and typing', () => {
  it('sends a read receipt once per newly seen message, after joining', () => {
    makeClient().start();
    const socket = sockets.latest();
    socket.open();
    loadConversation([1, 2]);
    client.watch(CONV);
    client.markRead(CONV, 2);
    expect(socket.framesOfType('read_receipt')).toEqual([]);
    joinedOk(socket, 2);
    client.markRead(CONV, 2);
    client.markRead(CONV, 1);
    expect(socket.framesOfType('read_receipt')).toEqual([
      { type: 'read_receipt', conversationId: CONV, data: { messageId: 2 } },
    ]);
  });

  it('shows who is typing and drops a stale indicator whose "stopped" got lost', () => {
    makeClient().start();
    const socket = sockets.latest();
    socket.open();
    socket.receive({ type: 'typing', conversationId: CONV, data: { userId: ADA, name: 'Ada', isTyping: true } });
    expect(thread().typing).toEqual([{ userId: ADA, name: 'Ada' }]);
    vi.advanceTimersByTime(TYPING_STALE_MS);
    expect(thread().typing).toEqual([]);
  });

  it('takes how many admins are online from presence (and which, when the server says)', () => {
    makeClient().start();
    const socket = sockets.latest();
    socket.open();
    socket.receive({ type: 'presence', data: { adminsOnline: 2 } });
    expect(store.getState()).toMatchObject({ onlineAdmins: 2, onlineAdminIds: null });
    socket.receive({ type: 'presence', data: { adminsOnline: 2, adminIds: [1, 5] } });
    expect(store.getState()).toMatchObject({ onlineAdmins: 2, onlineAdminIds: [1, 5] });
    socket.receive({ type: 'presence', data: { adminsOnline: 0 } });
    expect(store.getState().onlineAdmins).toBe(0);
  });
});
