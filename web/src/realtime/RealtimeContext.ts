import { createContext, useContext, useEffect, useRef, useSyncExternalStore } from 'react';
import type { ServerFrame } from '../api/realtime';
import type { RealtimeClient } from './RealtimeClient';
import type { RealtimeStore } from './store';
import type { ConnectionStatus, RealtimeState, Thread } from './types';

export type FrameListener = (frame: ServerFrame) => void;

export interface RealtimeContextValue {
  store: RealtimeStore;
  client: RealtimeClient;
  /** Subscribes to every server frame (after the store and caches took it in). */
  subscribeFrames: (listener: FrameListener) => () => void;
}

export const RealtimeContext = createContext<RealtimeContextValue | null>(null);

export function useRealtime(): RealtimeContextValue {
  const value = useContext(RealtimeContext);
  if (value === null) throw new Error('useRealtime must be used inside <RealtimeProvider>');
  return value;
}

/** A slice of the real-time state; the selector must return stable values (no new objects). */
export function useRealtimeState<T>(select: (state: RealtimeState) => T): T {
  const { store } = useRealtime();
  return useSyncExternalStore(store.subscribe, () => select(store.getState()));
}

export function useConnectionStatus(): ConnectionStatus {
  return useRealtimeState((s) => s.connection);
}

/** Whether at least one support admin has the app open. */
export function useSupportOnline(): boolean {
  return useRealtimeState((s) => s.onlineAdmins > 0);
}

export function useThread(conversationId: number): Thread | undefined {
  return useRealtimeState((s) => s.threads[conversationId]);
}

/** Calls `listener` for every server frame while mounted (the latest listener, no resubscribing). */
export function useRealtimeFrames(listener: FrameListener): void {
  const { subscribeFrames } = useRealtime();
  const latest = useRef(listener);
  useEffect(() => {
    latest.current = listener;
  });
  useEffect(
    () =>
      subscribeFrames((frame) => {
        latest.current(frame);
      }),
    [subscribeFrames],
  );
}
