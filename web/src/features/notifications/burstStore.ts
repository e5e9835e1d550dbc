import { addNotice, endBurst, hideToast, initialBurstState, type BurstState, type NoticeOutcome, type Burst } from './bursts';
import type { Notice } from './notices';

/** The bursts in a tiny external store, so frame handlers and effects update them directly. */
export interface BurstStore {
  getState: () => BurstState;
  subscribe: (listener: () => void) => () => void;
  add: (notice: Notice, now: number) => { outcome: NoticeOutcome; burst: Burst };
  hide: (conversationId: number) => void;
  end: (conversationId: number) => void;
}

export function createBurstStore(): BurstStore {
  let state = initialBurstState;
  const listeners = new Set<() => void>();
  const set = (next: BurstState) => {
    if (next === state) return;
    state = next;
    for (const l of [...listeners]) l();
  };
  return {
    getState: () => state,
    subscribe: (listener) => {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    add: (notice, now) => {
      const result = addNotice(state, notice, now);
      set(result.state);
      return { outcome: result.outcome, burst: result.burst };
    },
    hide: (id) => {
      set(hideToast(state, id));
    },
    end: (id) => {
      set(endBurst(state, id));
    },
  };
}
