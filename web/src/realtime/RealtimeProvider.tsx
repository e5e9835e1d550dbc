import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type ReactNode } from 'react';
import { supportKeys } from '../api/queryKeys';
import type { ServerFrame } from '../api/realtime';
import { useAuth } from '../features/auth/AuthContext';
import { meQueryKey } from '../features/auth/authApi';
import { createQueryCacheSync } from './queryCacheSync';
import { RealtimeClient, type SocketLike } from './RealtimeClient';
import { RealtimeContext, type FrameListener, type RealtimeContextValue } from './RealtimeContext';
import { createRealtimeStore } from './store';

/** A failed handshake re-checks the session at most this often (browsers hide the 401). */
const SESSION_CHECK_INTERVAL_MS = 15_000;

interface RealtimeProviderProps {
  children: ReactNode;
  /** For tests; defaults to the browser's WebSocket. */
  createSocket?: (url: string) => SocketLike;
}

/**
 * Owns the app's one WebSocket while someone is signed in and support chat is on for them, and
 * hands its state to pages (threads, connection status, presence) and its frames to the caches.
 */
export function RealtimeProvider({ children, createSocket }: RealtimeProviderProps) {
  const { state } = useAuth();
  const queryClient = useQueryClient();

  const [value] = useState<RealtimeContextValue>(() => {
    const store = createRealtimeStore();
    const listeners = new Set<FrameListener>();
    const cacheSync = createQueryCacheSync(queryClient);
    let lastSessionCheck = 0;

    const isSignedIn = () => queryClient.getQueryData(meQueryKey) != null;
    const client = new RealtimeClient({
      store,
      ...(createSocket ? { createSocket } : {}),
      onSignedOut: async () => {
        await queryClient.invalidateQueries({ queryKey: meQueryKey });
        return isSignedIn();
      },
      onAccountChanged: () => {
        void queryClient.invalidateQueries({ queryKey: meQueryKey });
      },
      onFeatureOff: () => {
        void queryClient.invalidateQueries({ queryKey: meQueryKey });
      },
      onHandshakeFailed: () => {
        const now = Date.now();
        if (now - lastSessionCheck < SESSION_CHECK_INTERVAL_MS) return;
        lastSessionCheck = now;
        void queryClient.invalidateQueries({ queryKey: meQueryKey });
      },
      onResetRequired: (conversationId) => {
        // Refetch even when no page shows it: queued messages wait for this refetch to rejoin.
        void queryClient.invalidateQueries({
          queryKey: supportKeys.conversation(conversationId),
          refetchType: 'all',
        });
      },
      onFrame: (frame: ServerFrame) => {
        cacheSync.apply(frame, store.getState().selfId);
        for (const listener of [...listeners]) listener(frame);
      },
    });
    return {
      store,
      client,
      subscribeFrames: (listener) => {
        listeners.add(listener);
        return () => {
          listeners.delete(listener);
        };
      },
    };
  });

  const selfId = state.status === 'signedIn' ? state.user.id : 0;
  const enabled = state.status === 'signedIn' && state.features.support_chat !== false;

  useEffect(() => {
    value.store.dispatch({ type: 'session', selfId });
  }, [value, selfId]);

  useEffect(() => {
    if (!enabled) return;
    const { client } = value;
    client.setNetworkOnline(navigator.onLine);
    client.start();
    const online = () => {
      client.setNetworkOnline(true);
    };
    const offline = () => {
      client.setNetworkOnline(false);
    };
    window.addEventListener('online', online);
    window.addEventListener('offline', offline);
    return () => {
      window.removeEventListener('online', online);
      window.removeEventListener('offline', offline);
      client.stop();
    };
  }, [value, enabled, selfId]);

  return <RealtimeContext value={value}>{children}</RealtimeContext>;
}
