import { useQuery, useQueryClient, type InfiniteData, type QueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState, useSyncExternalStore, type ReactNode } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { useApi } from '../../api/ApiContext';
import { supportKeys } from '../../api/queryKeys';
import type { ConversationDetails, ConversationsResponse } from '../../api/support';
import { useRealtime, useRealtimeFrames } from '../../realtime/RealtimeContext';
import { useCurrentUser } from '../auth/AuthContext';
import { useSupportChatEnabled } from '../support/SupportGate';
import {
  permissionState,
  requestPermission as askBrowser,
  showSystemNotification,
  type PermissionState,
} from './browserNotifications';
import { createBurstStore } from './burstStore';
import { burstTitle, type Burst } from './bursts';
import { conversationOnScreen, conversationPath, noticeFromFrame } from './notices';
import { NotificationsContext, type NotificationsContextValue } from './NotificationsContext';
import { PREFERENCES_CHANNEL, preferencesKey, preferencesQuery, type NotificationPreferences } from './preferences';
import { Chime } from './sound';
import { ToastRegion } from './ToastRegion';
import { useTitleBadge } from './useTitleBadge';
import { useUnreadTotal } from './useUnreadTotal';

/** The subject of a conversation if a list or its page is in the cache. */
function cachedSubject(queryClient: QueryClient, id: number): string | null {
  const detail = queryClient.getQueryData<ConversationDetails>(supportKeys.conversation(id));
  if (detail !== undefined) return detail.conversation.subject;
  for (const [, data] of queryClient.getQueriesData<InfiniteData<ConversationsResponse>>({ queryKey: supportKeys.lists() })) {
    for (const page of data?.pages ?? []) {
      const row = page.conversations.find((c) => c.id === id);
      if (row !== undefined) return row.subject;
    }
  }
  return null;
}

function systemTitle(burst: Burst): string {
  return `${burst.urgent ? 'Urgent: ' : ''}${burstTitle(burst)}`;
}

/**
 * Tells the signed-in person about new messages outside the conversation they are looking at:
 * toasts (one per conversation burst), a system notification while the tab is in the
 * background, a short tone, and the unread count in the tab title. Follows their saved
 * preferences. Lives inside the app shell, under the real-time provider and the router.
 */
export function NotificationsProvider({ children }: { children: ReactNode }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const { pathname } = useLocation();
  const user = useCurrentUser();
  const enabled = useSupportChatEnabled();
  const { store: realtime } = useRealtime();
  const prefs = useQuery(preferencesQuery(api, enabled));

  const [bursts] = useState(createBurstStore);
  const [chime] = useState(() => new Chime());
  const [permission, setPermission] = useState<PermissionState>(permissionState);
  const burstState = useSyncExternalStore(bursts.subscribe, bursts.getState);
  const onScreenId = conversationOnScreen(pathname);

  // What the frame handler needs, kept current without resubscribing.
  const latest = useRef({ onScreenId, prefs: prefs.data, user, navigate });
  useEffect(() => {
    latest.current = { onScreenId, prefs: prefs.data, user, navigate };
  });
  const liveRooms = useRef(new Set<number>());
  const systemNotices = useRef(new Map<number, Notification>());

  function closeSystemNotice(conversationId: number) {
    systemNotices.current.get(conversationId)?.close();
    systemNotices.current.delete(conversationId);
  }

  function endBurst(conversationId: number) {
    bursts.end(conversationId);
    closeSystemNotice(conversationId);
  }

  useRealtimeFrames((frame) => {
    if (frame.type === 'joined') liveRooms.current.add(frame.conversationId);
    if (frame.type === 'reset_required') liveRooms.current.delete(frame.conversationId);
    const { onScreenId: current, prefs: saved, user: me, navigate: go } = latest.current;
    const hidden = document.hidden;
    const notice = noticeFromFrame(frame, { selfId: me.id, onScreenId: current, hidden, liveRooms: liveRooms.current });
    if (notice === null) return;
    const now = Date.now();
    const { outcome, burst } = bursts.add(
      { ...notice, subject: notice.subject ?? cachedSubject(queryClient, notice.conversationId) },
      now,
    );
    if (outcome === 'duplicate') return;
    // Until the saved preferences are known, stay quiet rather than beep against them.
    if (outcome === 'started' && saved?.sound === true) chime.play(now);
    if (hidden && saved?.browser === true) {
      const id = burst.conversationId;
      const shown = showSystemNotification({
        title: systemTitle(burst),
        body: burst.subject === null ? burst.preview : `${burst.subject}: ${burst.preview}`,
        tag: `support-chat-conversation-${id}`,
        onClick: () => {
          endBurst(id);
          void go(conversationPath(id, me.role));
        },
      });
      if (shown !== null) systemNotices.current.set(id, shown);
    }
  });

  // Message frames count as live only after the conversation's `joined` on this connection.
  useEffect(
    () =>
      realtime.subscribe(() => {
        if (realtime.getState().connection !== 'connected') liveRooms.current.clear();
      }),
    [realtime],
  );

  // Looking at a conversation ends its burst and takes its system notification away.
  useEffect(() => {
    if (onScreenId === null) return;
    const clear = () => {
      if (document.hidden) return;
      bursts.end(onScreenId);
      systemNotices.current.get(onScreenId)?.close();
      systemNotices.current.delete(onScreenId);
    };
    clear();
    document.addEventListener('visibilitychange', clear);
    return () => {
      document.removeEventListener('visibilitychange', clear);
    };
  }, [bursts, onScreenId]);

  // The browser's permission can change in its settings: look again when the tab comes back.
  useEffect(() => {
    const refresh = () => {
      setPermission(permissionState());
    };
    window.addEventListener('focus', refresh);
    document.addEventListener('visibilitychange', refresh);
    return () => {
      window.removeEventListener('focus', refresh);
      document.removeEventListener('visibilitychange', refresh);
    };
  }, []);

  // Browsers only allow sound after an interaction: unlock the tone on the first one.
  const soundOn = prefs.data?.sound === true;
  useEffect(() => {
    if (!soundOn) return;
    const unlock = () => {
      void chime.unlock();
    };
    document.addEventListener('pointerdown', unlock, { capture: true });
    document.addEventListener('keydown', unlock, { capture: true });
    return () => {
      document.removeEventListener('pointerdown', unlock, { capture: true });
      document.removeEventListener('keydown', unlock, { capture: true });
    };
  }, [chime, soundOn]);

  useEffect(() => () => {
    chime.close();
  }, [chime]);

  // Preferences saved in another tab of this browser apply here at once.
  useEffect(() => {
    if (typeof BroadcastChannel === 'undefined') return;
    const channel = new BroadcastChannel(PREFERENCES_CHANNEL);
    channel.onmessage = (event: MessageEvent<NotificationPreferences>) => {
      queryClient.setQueryData(preferencesKey, event.data);
    };
    return () => {
      channel.close();
    };
  }, [queryClient]);

  // Close this tab's system notifications when the person signs out or the app goes away.
  useEffect(() => {
    const notices = systemNotices.current;
    return () => {
      for (const n of notices.values()) n.close();
      notices.clear();
    };
  }, []);

  useTitleBadge(useUnreadTotal());

  const contextValue = useMemo<NotificationsContextValue>(
    () => ({
      permission,
      requestPermission: async () => {
        setPermission(await askBrowser());
      },
      playTestSound: async () => {
        await chime.unlock();
        return chime.play(Date.now(), { force: true });
      },
    }),
    [permission, chime],
  );

  return (
    <NotificationsContext value={contextValue}>
      {children}
      <ToastRegion
        state={burstState}
        onScreenId={onScreenId}
        pathFor={(id) => conversationPath(id, user.role)}
        onHide={bursts.hide}
        onEnd={endBurst}
      />
    </NotificationsContext>
  );
}
