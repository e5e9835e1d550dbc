import { describe, expect, it } from 'vitest';
import {
  BURST_WINDOW_MS,
  MAX_TOASTS,
  addNotice,
  burstTitle,
  endBurst,
  hideToast,
  initialBurstState,
  visibleToasts,
  type BurstState,
} from './bursts';
import type { Notice } from './notices';

let nextMessage = 100;
function notice(overrides: Partial<Notice> = {}): Notice {
  nextMessage += 1;
  return {
    conversationId: 7,
    kind: 'message',
    messageId: nextMessage,
    senderName: 'Ada',
    preview: `message ${nextMessage}`,
    urgent: false,
    subject: null,
    toast: true,
    ...overrides,
  };
}

/** The first visible toast; fails the test when there is none. */
function firstToast(state: BurstState) {
  const [first] = visibleToasts(state);
  if (first === undefined) throw new Error('no toast is showing');
  return first;
}

function feed(state: BurstState, notices: [Notice, number][]) {
  const outcomes: string[] = [];
  for (const [n, at] of notices) {
    const r = addNotice(state, n, at);
    state = r.state;
    outcomes.push(r.outcome);
  }
  return { state, outcomes };
}

describe('bursts', () => {
  it('coalesces messages in one conversation into one toast that counts them', () => {
    const { state, outcomes } = feed(initialBurstState, [
      [notice({ preview: 'first' }), 0],
      [notice({ preview: 'second' }), 1_000],
      [notice({ preview: 'third' }), 2_000],
    ]);
    expect(outcomes).toEqual(['started', 'updated', 'updated']);
    expect(visibleToasts(state)).toHaveLength(1);
    expect(burstTitle(firstToast(state))).toBe('3 new messages from Ada');
    expect(firstToast(state).preview).toBe('third');
  });

  it('counts the same message once when it arrives twice', () => {
    const first = notice({ messageId: 55 });
    const { state, outcomes } = feed(initialBurstState, [
      [first, 0],
      [{ ...first }, 500],
    ]);
    expect(outcomes).toEqual(['started', 'duplicate']);
    expect(firstToast(state).count).toBe(1);
  });

  it('keeps different conversations apart', () => {
    const { state, outcomes } = feed(initialBurstState, [
      [notice({ conversationId: 7 }), 0],
      [notice({ conversationId: 8, senderName: 'Bob' }), 100],
      [notice({ conversationId: 7 }), 200],
    ]);
    expect(outcomes).toEqual(['started', 'started', 'updated']);
    expect(visibleToasts(state).map((b) => [b.conversationId, b.count])).toEqual([
      [7, 2],
      [8, 1],
    ]);
  });

  it('starts a new burst after a quiet window once the toast is gone', () => {
    let { state } = feed(initialBurstState, [[notice(), 0]]);
    state = hideToast(state, 7);
    // Soon after: the hidden toast comes back, still counting.
    const soon = addNotice(state, notice(), BURST_WINDOW_MS - 1);
    expect(soon.outcome).toBe('updated');
    expect(firstToast(soon.state).count).toBe(2);
    // Long after: a fresh burst, so the sound plays again.
    const later = addNotice(hideToast(soon.state, 7), notice(), 2 * BURST_WINDOW_MS + 10);
    expect(later.outcome).toBe('started');
    expect(firstToast(later.state).count).toBe(1);
  });

  it('keeps counting while the toast stays open, however long', () => {
    const { state, outcomes } = feed(initialBurstState, [
      [notice(), 0],
      [notice(), 5 * BURST_WINDOW_MS],
    ]);
    expect(outcomes).toEqual(['started', 'updated']);
    expect(firstToast(state).count).toBe(2);
  });

  it('starts over after the person dismissed or opened the burst', () => {
    const { state } = feed(initialBurstState, [
      [notice(), 0],
      [notice(), 100],
    ]);
    const ended = endBurst(state, 7);
    expect(visibleToasts(ended)).toEqual([]);
    const again = addNotice(ended, notice(), 200);
    expect(again.outcome).toBe('started');
    expect(burstTitle(again.burst)).toBe('New message from Ada');
  });

  it('names several senders', () => {
    const { state } = feed(initialBurstState, [
      [notice({ senderName: 'Ada' }), 0],
      [notice({ senderName: 'Bob' }), 1],
      [notice({ senderName: 'Ada' }), 2],
    ]);
    expect(burstTitle(firstToast(state))).toBe('3 new messages from Ada and Bob');
    expect(burstTitle({ kind: 'message', count: 4, senders: ['Ada', 'Bob', 'Cy', 'Di'] })).toBe(
      '4 new messages from Ada, Bob and 2 others',
    );
  });

  it('says a new conversation is one, and counts messages that follow it', () => {
    const opened = addNotice(initialBurstState, notice({ kind: 'conversation', senderName: 'Ann' }), 0);
    expect(burstTitle(opened.burst)).toBe('New conversation from Ann');
    const next = addNotice(opened.state, notice({ senderName: 'Ann' }), 100);
    expect(burstTitle(next.burst)).toBe('2 new messages from Ann');
  });

  it('marks the burst urgent when any of its messages is', () => {
    const { state } = feed(initialBurstState, [
      [notice(), 0],
      [notice({ urgent: true }), 1],
      [notice(), 2],
    ]);
    expect(firstToast(state).urgent).toBe(true);
  });

  it('does not show a toast for a notice that may not have one, but counts it', () => {
    const quiet = addNotice(initialBurstState, notice({ toast: false }), 0);
    expect(quiet.outcome).toBe('started');
    expect(visibleToasts(quiet.state)).toEqual([]);
  });

  it(`shows at most ${MAX_TOASTS} toasts, the newest ones`, () => {
    const notices: [Notice, number][] = [1, 2, 3, 4, 5].map((id) => [notice({ conversationId: id }), id]);
    const { state } = feed(initialBurstState, notices);
    expect(visibleToasts(state).map((b) => b.conversationId)).toEqual([3, 4, 5]);
  });
});
