/**
 * The one WebSocket (`/api/support-chat/ws`): connecting, reconnecting with jittered backoff,
 * re-joining the conversations on screen from the newest message held, sending queued messages
 * once and in order, acks, typing and read receipts. Framework-free: it feeds the reducer's store
 * and tells the React layer about the few things that need queries refetched.
 */
import { encodeClientFrame, parseServerFrame, type ClientFrame, type ServerFrame } from '../api/realtime';
import { reconnectDelay } from './backoff';
import { newClientMessageId } from './clientMessageId';
import type { RealtimeStore } from './store';
import { messagesToSend, resumePoint } from './threadReducer';
import { TYPING_STALE_MS } from './typingNotifier';
import type { ConnectionStatus, SenderType, Thread } from './types';

/** The part of `WebSocket` the client uses, so tests can hand in a fake. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
  onerror: ((event: Event) => void) | null;
}

const OPEN = 1;
/** A send the server has not confirmed by then is shown as failed (with Retry). */
export const ACK_TIMEOUT_MS = 15_000;
/** We send a `ping` this often; a socket that heard nothing for `DEAD_AFTER_MS` is replaced. */
export const HEARTBEAT_MS = 20_000;
export const DEAD_AFTER_MS = 45_000;
/** A connection that stayed up this long resets the backoff. */
export const STABLE_AFTER_MS = 5_000;
/** After a failed join (`unavailable`, …) the join is tried again this much later. */
export const REJOIN_AFTER_MS = 3_000;
/** Sends refused for being too fast (or the database being busy) are retried this many times. */
export const AUTO_RETRIES = 5;

export const SIGNED_OUT_REASON = 'signed out';
export const ACCOUNT_CHANGED_REASON = 'account changed: reconnect';
export const FEATURE_OFF_REASON = 'support chat is turned off';

export interface RealtimeClientOptions {
  store: RealtimeStore;
  /** The socket's URL; by default the page's own origin. */
  url?: () => string;
  createSocket?: (url: string) => SocketLike;
  random?: () => number;
  /** Closed with 1008 "signed out": resolve `true` if the session is still good (then reconnect). */
  onSignedOut?: () => Promise<boolean>;
  /** Closed because the person's account changed (role, password, another session): reconnect. */
  onAccountChanged?: () => void;
  /** Closed because the `support_chat` flag went off for this person. */
  onFeatureOff?: () => void;
  /** The handshake failed (browsers do not say why): a good moment to re-check the session. */
  onHandshakeFailed?: () => void;
  /** Too far behind to replay: refetch this conversation over REST (the page merges it in). */
  onResetRequired?: (conversationId: number) => void;
  /** Every frame, after the store has taken it in. */
  onFrame?: (frame: ServerFrame) => void;
}

export function defaultSocketUrl(): string {
  const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${window.location.host}/api/support-chat/ws`;
}

export interface Sender {
  name: string;
  type: SenderType;
}

export class RealtimeClient {
  private readonly options: RealtimeClientOptions;
  private readonly store: RealtimeStore;
  private socket: SocketLike | null = null;
  private socketOpen = false;
  private openedAt = 0;
  private lastFrameAt = 0;
  private running = false;
  private online = true;
  private everConnected = false;
  private attempt = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private heartbeatTimer: ReturnType<typeof setInterval> | null = null;
  private unsubscribeStore: (() => void) | null = null;

  /** Conversation id → how many screens show it. */
  private readonly watched = new Map<number, number>();
  private readonly joining = new Set<number>();
  private readonly joined = new Set<number>();
  private readonly rejoinTimers = new Map<number, ReturnType<typeof setTimeout>>();
  private readonly ackTimers = new Map<string, ReturnType<typeof setTimeout>>();
  /** Sends held back until this time (rate limited); later sends of the conversation wait too. */
  private readonly heldUntil = new Map<string, number>();
  private readonly autoRetries = new Map<string, number>();
  private readonly holdTimers = new Set<ReturnType<typeof setTimeout>>();
  private readonly typingTimers = new Map<string, ReturnType<typeof setTimeout>>();
  /** Conversation id → the newest message the reader has seen there (to send as read). */
  private readonly wantRead = new Map<number, number>();
  private readonly sentRead = new Map<number, number>();

  private syncing = false;
  private syncAgain = false;

  constructor(options: RealtimeClientOptions) {
    this.options = options;
    this.store = options.store;
  }

  // ---- lifecycle -------------------------------------------------------------------------------

  /** Connects (and keeps reconnecting) until `stop`. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.unsubscribeStore ??= this.store.subscribe(() => {
      this.sync();
    });
    this.connect();
  }

  /** Closes the socket and stops reconnecting. Queued messages stay queued (in the store). */
  stop(): void {
    this.running = false;
    this.wantRead.clear();
    this.heldUntil.clear();
    this.autoRetries.clear();
    for (const timer of this.holdTimers) clearTimeout(timer);
    this.holdTimers.clear();
    this.unsubscribeStore?.();
    this.unsubscribeStore = null;
    if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    const socket = this.socket;
    if (socket !== null) {
      this.detach(socket);
      socket.close(1000, 'client stopped');
      this.connectionLost();
    }
    this.publishStatus();
  }

  /**
   * The browser's online/offline events. Going offline drops the socket at once: one that still
   * looks open is most likely dead, and waiting for the heartbeat would show "Connected" and
   * "Sent" for up to a minute while nothing gets through. Queued messages wait (no reconnect
   * attempts while offline) and go out with their same `clientMessageId` when the network is back,
   * which reconnects at once.
   */
  setNetworkOnline(online: boolean): void {
    this.online = online;
    if (!online) {
      if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer);
      this.reconnectTimer = null;
      const socket = this.socket;
      if (socket !== null) {
        this.detach(socket);
        socket.close(1000, 'offline');
        this.connectionLost();
      }
      this.publishStatus();
      return;
    }
    if (this.running && this.socket === null) {
      this.attempt = 0;
      this.connect();
      return;
    }
    this.publishStatus();
  }

  private connect(): void {
    if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    if (!this.running || this.socket !== null) return;
    if (!this.online) {
      // Back online calls connect again.
      this.publishStatus();
      return;
    }
    const url = (this.options.url ?? defaultSocketUrl)();
    const create = this.options.createSocket ?? ((u: string) => new WebSocket(u));
    let socket: SocketLike;
    try {
      socket = create(url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    this.socketOpen = false;
    socket.onopen = () => {
      if (this.socket !== socket) return;
      this.socketOpen = true;
      this.everConnected = true;
      this.openedAt = Date.now();
      this.lastFrameAt = this.openedAt;
      this.startHeartbeat();
      this.publishStatus();
      this.sync();
    };
    socket.onmessage = (event) => {
      if (this.socket !== socket) return;
      this.lastFrameAt = Date.now();
      if (typeof event.data !== 'string') return;
      const frame = parseServerFrame(event.data);
      if (frame !== null) this.handleFrame(frame);
    };
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      this.handleClose(event.code, event.reason);
    };
    socket.onerror = () => {
      // A close event always follows; that is where we react.
    };
    this.publishStatus();
  }

  private detach(socket: SocketLike) {
    socket.onopen = null;
    socket.onmessage = null;
    socket.onclose = null;
    socket.onerror = null;
  }

  private connectionLost() {
    const wasOpen = this.socketOpen;
    this.socket = null;
    this.socketOpen = false;
    if (wasOpen && Date.now() - this.openedAt >= STABLE_AFTER_MS) this.attempt = 0;
    this.joined.clear();
    this.joining.clear();
    this.sentRead.clear();
    for (const timer of this.rejoinTimers.values()) clearTimeout(timer);
    this.rejoinTimers.clear();
    for (const timer of this.ackTimers.values()) clearTimeout(timer);
    this.ackTimers.clear();
    for (const timer of this.typingTimers.values()) clearTimeout(timer);
    this.typingTimers.clear();
    if (this.heartbeatTimer !== null) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
    this.store.dispatch({ type: 'connection_lost' });
    return wasOpen;
  }

  private handleClose(code: number, reason: string) {
    const wasOpen = this.connectionLost();
    if (!this.running) {
      this.publishStatus();
      return;
    }
    if (code === 1008 && reason === FEATURE_OFF_REASON) {
      this.running = false;
      this.publishStatus();
      this.options.onFeatureOff?.();
      return;
    }
    if (code === 1008 && reason === ACCOUNT_CHANGED_REASON) {
      // The role may have changed: refresh the session and come back (a failed handshake then
      // means this session is gone too, which the handshake check catches). The usual backoff
      // keeps a server that keeps saying so from causing a reconnect storm.
      this.options.onAccountChanged?.();
      this.scheduleReconnect();
      return;
    }
    if (code === 1008 && reason === SIGNED_OUT_REASON) {
      // Maybe only this session or a role changed; the session check decides.
      this.publishStatus();
      const check = this.options.onSignedOut?.() ?? Promise.resolve(true);
      void check.then(
        (stillSignedIn) => {
          if (stillSignedIn && this.running && this.socket === null) {
            this.attempt = 0;
            this.connect();
          }
        },
        () => {
          this.scheduleReconnect();
        },
      );
      return;
    }
    if (!wasOpen) this.options.onHandshakeFailed?.();
    this.scheduleReconnect();
  }

  private scheduleReconnect() {
    if (!this.running) return;
    const delay = reconnectDelay(this.attempt, this.options.random);
    this.attempt += 1;
    this.reconnectTimer = setTimeout(() => {
      this.connect();
    }, delay);
    this.publishStatus();
  }

  private startHeartbeat() {
    if (this.heartbeatTimer !== null) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = setInterval(() => {
      const socket = this.socket;
      if (socket === null || !this.socketOpen) return;
      if (Date.now() - this.lastFrameAt > DEAD_AFTER_MS) {
        // The connection died without a close frame (sleeping laptop, lost network): replace it.
        this.detach(socket);
        socket.close(4000, 'no answer');
        this.handleClose(4000, 'no answer');
        return;
      }
      this.transmit({ type: 'ping' });
    }, HEARTBEAT_MS);
  }

  private publishStatus() {
    let status: ConnectionStatus;
    if (this.socketOpen) status = 'connected';
    else if (!this.running || !this.online) status = 'offline';
    else if (!this.everConnected && this.attempt === 0) status = 'connecting';
    else status = 'reconnecting';
    this.store.dispatch({ type: 'connection', status });
  }

  // ---- what pages ask for ------------------------------------------------------------------------

  /** A screen shows this conversation: join it (once loaded) and keep it joined. Returns the undo. */
  watch(conversationId: number): () => void {
    this.watched.set(conversationId, (this.watched.get(conversationId) ?? 0) + 1);
    this.sync();
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const count = (this.watched.get(conversationId) ?? 1) - 1;
      if (count > 0) this.watched.set(conversationId, count);
      else this.watched.delete(conversationId);
      this.sync();
    };
  }

  /** Shows the message at once and sends it when it can (now, or after reconnecting). */
  send(conversationId: number, content: string, sender: Sender): string {
    const clientMessageId = newClientMessageId();
    this.store.dispatch({
      type: 'send',
      conversationId,
      clientMessageId,
      content,
      senderName: sender.name,
      senderType: sender.type,
      createdAt: new Date().toISOString(),
    });
    return clientMessageId;
  }

  /** Sends a failed message again, with the same `clientMessageId`. */
  retry(conversationId: number, clientMessageId: string): void {
    this.autoRetries.delete(clientMessageId);
    this.heldUntil.delete(clientMessageId);
    this.store.dispatch({ type: 'retry', conversationId, clientMessageId });
  }

  discard(conversationId: number, clientMessageId: string): void {
    this.store.dispatch({ type: 'discard', conversationId, clientMessageId });
  }

  /** The reader has seen the conversation up to `messageId`. */
  markRead(conversationId: number, messageId: number): void {
    if (messageId <= (this.wantRead.get(conversationId) ?? 0)) return;
    this.wantRead.set(conversationId, messageId);
    this.sync();
  }

  setTyping(conversationId: number, isTyping: boolean): void {
    if (!this.socketOpen) return;
    this.transmit({ type: 'typing', conversationId, data: { isTyping } });
  }

  // ---- keeping the socket in step with the store -------------------------------------------------

  private wants(conversationId: number, thread: Thread | undefined): boolean {
    if (this.watched.has(conversationId)) return true;
    // A conversation with my messages still on their way stays joined until they are stored.
    return thread?.messages.some((m) => m.status === 'sending' || m.status === 'sent') ?? false;
  }

  /** Joins, leaves, flushes queued messages and read receipts as the state calls for. */
  private sync(): void {
    if (this.syncing) {
      this.syncAgain = true;
      return;
    }
    this.syncing = true;
    try {
      do {
        this.syncAgain = false;
        this.syncOnce();
      } while (this.wantsAnotherSync());
    } finally {
      this.syncing = false;
    }
  }

  /** A store change during a sync asked for another pass. */
  private wantsAnotherSync(): boolean {
    return this.syncAgain;
  }

  private syncOnce() {
    if (!this.socketOpen) return;
    const { threads } = this.store.getState();

    for (const id of [...this.joined, ...this.joining]) {
      if (this.wants(id, threads[id])) continue;
      this.joined.delete(id);
      this.joining.delete(id);
      this.transmit({ type: 'leave_conversation', conversationId: id });
    }

    const candidates = new Set<number>([
      ...this.watched.keys(),
      ...Object.values(threads)
        .filter((t) => this.wants(t.conversationId, t))
        .map((t) => t.conversationId),
    ]);
    for (const id of candidates) {
      const thread = threads[id];
      if (thread === undefined || !thread.loaded || thread.needsRefetch) continue;
      if (this.joined.has(id)) {
        this.flush(thread);
        this.flushRead(thread);
      } else if (!this.joining.has(id) && !this.rejoinTimers.has(id)) {
        this.joining.add(id);
        this.transmit({
          type: 'join_conversation',
          conversationId: id,
          data: { sinceMessageId: resumePoint(thread) },
        });
      }
    }
  }

  private flush(thread: Thread) {
    const now = Date.now();
    for (const message of messagesToSend(thread)) {
      const clientMessageId = message.clientMessageId;
      if (clientMessageId === null) continue;
      // Keep the order: a held message holds back everything written after it.
      if ((this.heldUntil.get(clientMessageId) ?? 0) > now) return;
      this.heldUntil.delete(clientMessageId);
      if (
        !this.transmit({
          type: 'message',
          conversationId: thread.conversationId,
          data: { content: message.content, clientMessageId },
        })
      ) {
        return;
      }
      this.startAckTimer(thread.conversationId, clientMessageId);
      this.store.dispatch({ type: 'transmitted', conversationId: thread.conversationId, clientMessageId });
    }
  }

  private flushRead(thread: Thread) {
    const id = thread.conversationId;
    const want = this.wantRead.get(id);
    if (want === undefined) return;
    if (want <= thread.selfReadUpTo) {
      this.wantRead.delete(id);
      return;
    }
    if (want <= (this.sentRead.get(id) ?? 0)) return;
    if (this.transmit({ type: 'read_receipt', conversationId: id, data: { messageId: want } })) {
      this.sentRead.set(id, want);
    }
  }

  private transmit(frame: ClientFrame): boolean {
    const socket = this.socket;
    if (socket === null || !this.socketOpen || socket.readyState !== OPEN) return false;
    socket.send(encodeClientFrame(frame));
    return true;
  }

  private startAckTimer(conversationId: number, clientMessageId: string) {
    const existing = this.ackTimers.get(clientMessageId);
    if (existing !== undefined) clearTimeout(existing);
    this.ackTimers.set(
      clientMessageId,
      setTimeout(() => {
        this.ackTimers.delete(clientMessageId);
        this.store.dispatch({
          type: 'send_failed',
          conversationId,
          clientMessageId,
          code: 'timeout',
          error: "The server didn't confirm this message.",
        });
      }, ACK_TIMEOUT_MS),
    );
  }

  private clearAckTimer(clientMessageId: string) {
    const timer = this.ackTimers.get(clientMessageId);
    if (timer !== undefined) clearTimeout(timer);
    this.ackTimers.delete(clientMessageId);
  }

  // ---- frames from the server --------------------------------------------------------------------

  private handleFrame(frame: ServerFrame) {
    const { store } = this;
    switch (frame.type) {
      case 'message':
        store.dispatch({ type: 'message', message: frame.data });
        break;
      case 'ack':
        this.clearAckTimer(frame.data.clientMessageId.toLowerCase());
        this.autoRetries.delete(frame.data.clientMessageId.toLowerCase());
        store.dispatch({
          type: 'ack',
          conversationId: frame.conversationId,
          clientMessageId: frame.data.clientMessageId,
          messageId: frame.data.messageId,
          seq: frame.data.seq,
        });
        break;
      case 'joined':
        if (this.joining.delete(frame.conversationId)) {
          this.joined.add(frame.conversationId);
          this.sync();
        }
        break;
      case 'reset_required':
        this.joined.delete(frame.conversationId);
        this.joining.delete(frame.conversationId);
        store.dispatch({ type: 'reset_required', conversationId: frame.conversationId });
        this.options.onResetRequired?.(frame.conversationId);
        break;
      case 'typing':
        this.handleTyping(frame.conversationId, frame.data.userId, frame.data.name, frame.data.isTyping);
        break;
      case 'read_receipt':
        store.dispatch({
          type: 'read_receipt',
          conversationId: frame.conversationId,
          userId: frame.data.userId,
          messageId: frame.data.messageId,
        });
        break;
      case 'conversation_updated':
        if (frame.data.deletedMessageId != null) {
          store.dispatch({
            type: 'message_deleted',
            conversationId: frame.conversationId,
            messageId: frame.data.deletedMessageId,
          });
        }
        break;
      case 'presence':
        store.dispatch({ type: 'presence', adminsOnline: frame.data.adminsOnline, adminIds: frame.data.adminIds });
        break;
      case 'error':
        this.handleError(frame);
        break;
      case 'conversation_created':
      case 'notification':
      case 'pong':
        break;
    }
    this.options.onFrame?.(frame);
  }

  private handleTyping(conversationId: number, userId: number, name: string, isTyping: boolean) {
    const key = `${conversationId}:${userId}`;
    const timer = this.typingTimers.get(key);
    if (timer !== undefined) clearTimeout(timer);
    this.typingTimers.delete(key);
    this.store.dispatch({ type: 'typing', conversationId, userId, name, isTyping });
    if (!isTyping) return;
    // The typist's "stopped" can get lost; an indicator nobody refreshes goes away by itself.
    this.typingTimers.set(
      key,
      setTimeout(() => {
        this.typingTimers.delete(key);
        this.store.dispatch({ type: 'typing', conversationId, userId, name, isTyping: false });
      }, TYPING_STALE_MS),
    );
  }

  private handleError(frame: Extract<ServerFrame, { type: 'error' }>) {
    const { code, message, retryAfter } = frame.data;
    const clientMessageId = frame.data.clientMessageId?.toLowerCase();
    if (clientMessageId != null) {
      this.clearAckTimer(clientMessageId);
      const retries = this.autoRetries.get(clientMessageId) ?? 0;
      const conversationId = frame.conversationId ?? this.conversationOf(clientMessageId);
      if ((code === 'rate_limited' || code === 'unavailable') && retries < AUTO_RETRIES && conversationId !== null) {
        // Too fast or the database is busy: wait as told and send the same message again.
        this.autoRetries.set(clientMessageId, retries + 1);
        const waitMs = Math.max(1, retryAfter ?? 2) * 1000;
        this.heldUntil.set(clientMessageId, Date.now() + waitMs);
        this.store.dispatch({
          type: 'send_failed',
          conversationId,
          clientMessageId,
          code,
          error: message,
        });
        this.store.dispatch({ type: 'retry', conversationId, clientMessageId });
        const timer = setTimeout(() => {
          this.holdTimers.delete(timer);
          this.sync();
        }, waitMs);
        this.holdTimers.add(timer);
        return;
      }
      this.autoRetries.delete(clientMessageId);
      this.store.dispatch({
        type: 'send_failed',
        conversationId: frame.conversationId,
        clientMessageId,
        code,
        error: message,
      });
      return;
    }
    const conversationId = frame.conversationId;
    if (conversationId != null && this.joining.delete(conversationId)) {
      // Only a busy server is worth another try; not_found and the like will not change.
      if (code !== 'unavailable' && code !== 'rate_limited') return;
      // The join failed (database busy, …): try again a little later.
      this.rejoinTimers.set(
        conversationId,
        setTimeout(() => {
          this.rejoinTimers.delete(conversationId);
          this.sync();
        }, REJOIN_AFTER_MS),
      );
    }
  }

  private conversationOf(clientMessageId: string): number | null {
    for (const thread of Object.values(this.store.getState().threads)) {
      if (thread.messages.some((m) => m.clientMessageId === clientMessageId)) return thread.conversationId;
    }
    return null;
  }

  /** Stops everything for good. */
  dispose(): void {
    this.stop();
    this.watched.clear();
  }
}
