import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TYPING_IDLE_MS, TYPING_REFRESH_MS, TypingNotifier } from './typingNotifier';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('TypingNotifier', () => {
  it('says "typing" once for a burst of keys, then "stopped" after a pause', () => {
    const sent: boolean[] = [];
    const notifier = new TypingNotifier((t) => sent.push(t));
    for (let i = 0; i < 10; i += 1) {
      notifier.input();
      vi.advanceTimersByTime(100);
    }
    expect(sent).toEqual([true]);
    vi.advanceTimersByTime(TYPING_IDLE_MS);
    expect(sent).toEqual([true, false]);
  });

  it('repeats "typing" every few seconds while the person keeps typing', () => {
    const sent: boolean[] = [];
    const notifier = new TypingNotifier((t) => sent.push(t));
    for (let elapsed = 0; elapsed <= TYPING_REFRESH_MS * 2; elapsed += 500) {
      notifier.input();
      vi.advanceTimersByTime(500);
    }
    expect(sent).toEqual([true, true, true]);
  });

  it('says "stopped" at once on send, and nothing more afterwards', () => {
    const sent: boolean[] = [];
    const notifier = new TypingNotifier((t) => sent.push(t));
    notifier.input();
    notifier.stop();
    vi.advanceTimersByTime(TYPING_IDLE_MS * 2);
    notifier.stop();
    expect(sent).toEqual([true, false]);
  });
});
