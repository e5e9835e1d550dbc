import { initialRealtimeState, realtimeReducer, type RealtimeAction } from './threadReducer';
import type { RealtimeState } from './types';

/** The real-time state in a tiny external store, read by React through `useSyncExternalStore`. */
export interface RealtimeStore {
  getState: () => RealtimeState;
  dispatch: (action: RealtimeAction) => void;
  subscribe: (listener: () => void) => () => void;
}

export function createRealtimeStore(initial: RealtimeState = initialRealtimeState()): RealtimeStore {
  let state = initial;
  const listeners = new Set<() => void>();
  return {
    getState: () => state,
    dispatch: (action) => {
      const next = realtimeReducer(state, action);
      if (next === state) return;
      state = next;
      for (const listener of [...listeners]) listener();
    },
    subscribe: (listener) => {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}
