/**
 * Bursts: notices about one conversation that arrive close together are one burst, shown as one
 * toast ("3 new messages from Ada"), one browser notification and one sound — never a stack.
 * Pure functions over an immutable state; the provider runs the side effects.
 */
import type { Notice } from './notices';

/** A notice this long after the previous one in the same conversation starts a new burst. */
export const BURST_WINDOW_MS = 30_000;
/** At most this many toasts are on screen; older ones give way. */
export const MAX_TOASTS = 3;

export interface Burst {
  conversationId: number;
  /** Changes with every new burst, so a new toast is a new element (and is announced). */
  key: number;
  kind: Notice['kind'];
  /** How many messages (or new conversations) it holds. */
  count: number;
  /** Distinct senders, first one first. */
  senders: readonly string[];
  preview: string;
  subject: string | null;
  urgent: boolean;
  /** Message ids taken in, so the same message twice (two frames, a replay) counts once. */
  messageIds: readonly number[];
  startedAt: number;
  lastAt: number;
  /** Its toast is showing. A burst outlives its hidden toast until the window closes. */
  toastVisible: boolean;
}

export interface BurstState {
  bursts: Readonly<Record<number, Burst>>;
  nextKey: number;
}

export const initialBurstState: BurstState = { bursts: {}, nextKey: 1 };

/** `started`: a new burst (play the sound); `updated`: an existing one grew; `duplicate`: nothing new. */
export type NoticeOutcome = 'started' | 'updated' | 'duplicate';

function isOver(burst: Burst, now: number): boolean {
  return !burst.toastVisible && now - burst.lastAt > BURST_WINDOW_MS;
}

/** Takes a notice in; returns the new state, what happened and the burst it went into. */
export function addNotice(
  state: BurstState,
  notice: Notice,
  now: number,
): { state: BurstState; outcome: NoticeOutcome; burst: Burst } {
  // Forget bursts whose window closed, so the state stays small.
  const bursts: Record<number, Burst> = {};
  for (const b of Object.values(state.bursts)) if (!isOver(b, now)) bursts[b.conversationId] = b;

  const current = bursts[notice.conversationId];
  // A toast still on screen keeps counting, however long the person kept it open.
  if (current !== undefined && (current.toastVisible || now - current.lastAt <= BURST_WINDOW_MS)) {
    if (notice.messageId !== null && current.messageIds.includes(notice.messageId)) {
      return { state, outcome: 'duplicate', burst: current };
    }
    const next: Burst = {
      ...current,
      count: current.count + 1,
      senders: current.senders.includes(notice.senderName) ? current.senders : [...current.senders, notice.senderName],
      preview: notice.preview,
      subject: notice.subject ?? current.subject,
      urgent: current.urgent || notice.urgent,
      messageIds: notice.messageId === null ? current.messageIds : [...current.messageIds.slice(-49), notice.messageId],
      lastAt: now,
      toastVisible: current.toastVisible || notice.toast,
    };
    return { state: { ...state, bursts: { ...bursts, [next.conversationId]: next } }, outcome: 'updated', burst: next };
  }
  const burst: Burst = {
    conversationId: notice.conversationId,
    key: state.nextKey,
    kind: notice.kind,
    count: 1,
    senders: [notice.senderName],
    preview: notice.preview,
    subject: notice.subject,
    urgent: notice.urgent,
    messageIds: notice.messageId === null ? [] : [notice.messageId],
    startedAt: now,
    lastAt: now,
    toastVisible: notice.toast,
  };
  return {
    state: { bursts: { ...bursts, [burst.conversationId]: burst }, nextKey: state.nextKey + 1 },
    outcome: 'started',
    burst,
  };
}

/** Hides a burst's toast (it timed out); a message soon after shows it again, counting on. */
export function hideToast(state: BurstState, conversationId: number): BurstState {
  const b = state.bursts[conversationId];
  if (b?.toastVisible !== true) return state;
  return { ...state, bursts: { ...state.bursts, [conversationId]: { ...b, toastVisible: false } } };
}

/** Ends a burst: the person dismissed it, opened it, or is looking at the conversation. */
export function endBurst(state: BurstState, conversationId: number): BurstState {
  if (!(conversationId in state.bursts)) return state;
  const bursts = Object.fromEntries(
    Object.values(state.bursts)
      .filter((b) => b.conversationId !== conversationId)
      .map((b) => [b.conversationId, b]),
  );
  return { ...state, bursts };
}

/** The toasts to show, oldest first, at most `MAX_TOASTS`. */
export function visibleToasts(state: BurstState): Burst[] {
  return Object.values(state.bursts)
    .filter((b) => b.toastVisible)
    .sort((a, b) => a.startedAt - b.startedAt || a.key - b.key)
    .slice(-MAX_TOASTS);
}

function people(senders: readonly string[]): string {
  const [first, second] = senders;
  if (first === undefined) return 'someone';
  if (senders.length === 1) return first;
  if (senders.length === 2) return `${first} and ${second ?? ''}`;
  const others = senders.length - 2;
  return `${first}, ${second ?? ''} and ${others} other${others === 1 ? '' : 's'}`;
}

/** "New message from Ada", "3 new messages from Ada and Bob", "New conversation from Ann". */
export function burstTitle(burst: Pick<Burst, 'kind' | 'count' | 'senders'>): string {
  const from = people(burst.senders);
  if (burst.kind === 'conversation') {
    return burst.count === 1 ? `New conversation from ${from}` : `${burst.count} new messages from ${from}`;
  }
  return burst.count === 1 ? `New message from ${from}` : `${burst.count} new messages from ${from}`;
}
