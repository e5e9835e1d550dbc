import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, cleanup, render } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { supportKeys } from '../api/queryKeys';
import type { MeResponse } from '../api/client';
import { AuthContext, type AuthContextValue } from '../features/auth/AuthContext';
import { meQueryKey } from '../features/auth/authApi';
import { fakeSocketFactory } from './fakeSocket';
import { useRealtimeFrames } from './RealtimeContext';
import { RealtimeProvider } from './RealtimeProvider';

const ANN = { id: 2, email: 'ann@example.com', name: 'Ann', role: 'user' as const };

function auth(features: Record<string, boolean>): AuthContextValue {
  return {
    state: { status: 'signedIn', user: ANN, features },
    signIn: () => Promise.resolve(),
    signUp: () => Promise.resolve(),
    signOut: () => Promise.resolve(),
  };
}

let queryClient: QueryClient;
let sockets: ReturnType<typeof fakeSocketFactory>;

function renderProvider(value: AuthContextValue) {
  return render(
    <QueryClientProvider client={queryClient}>
      <AuthContext value={value}>
        <RealtimeProvider createSocket={sockets.create}>
          <p>app</p>
        </RealtimeProvider>
      </AuthContext>
    </QueryClientProvider>,
  );
}

beforeEach(() => {
  vi.useFakeTimers();
  queryClient = new QueryClient();
  sockets = fakeSocketFactory();
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe('RealtimeProvider', () => {
  it('opens one socket on the page origin while signed in with support chat on, and closes it on unmount', () => {
    const { unmount } = renderProvider(auth({ support_chat: true }));
    expect(sockets.sockets).toHaveLength(1);
    expect(sockets.latest().url).toBe(`ws://${window.location.host}/api/support-chat/ws`);
    unmount();
    expect(sockets.latest().closedWith?.code).toBe(1000);
  });

  it('opens no socket when support chat is off for this person', () => {
    renderProvider(auth({ support_chat: false }));
    expect(sockets.sockets).toHaveLength(0);
  });

  it('on 1008 "signed out" re-checks the session and stays closed when it has ended', async () => {
    queryClient.setQueryData(meQueryKey, null);
    renderProvider(auth({ support_chat: true }));
    act(() => {
      sockets.latest().open();
      sockets.latest().drop(1008, 'signed out');
    });
    await act(async () => {
      await vi.advanceTimersByTimeAsync(60_000);
    });
    expect(queryClient.getQueryState(meQueryKey)?.isInvalidated).toBe(true);
    expect(sockets.sockets).toHaveLength(1);
  });

  it('on 1008 "signed out" reconnects at once when the session is still good (a role change)', async () => {
    const me: MeResponse = { user: ANN, csrfToken: 't', features: { support_chat: true } };
    queryClient.setQueryData(meQueryKey, me);
    renderProvider(auth({ support_chat: true }));
    act(() => {
      sockets.latest().open();
      sockets.latest().drop(1008, 'signed out');
    });
    await act(async () => {
      await vi.advanceTimersByTimeAsync(0);
    });
    expect(sockets.sockets).toHaveLength(2);
  });

  it('hands every frame to pages that listen', () => {
    const seen: string[] = [];
    function Listener() {
      useRealtimeFrames((frame) => {
        if (frame.type === 'notification') seen.push(frame.data.preview);
      });
      return null;
    }
    render(
      <QueryClientProvider client={queryClient}>
        <AuthContext value={auth({ support_chat: true })}>
          <RealtimeProvider createSocket={sockets.create}>
            <Listener />
          </RealtimeProvider>
        </AuthContext>
      </QueryClientProvider>,
    );
    act(() => {
      sockets.latest().open();
      sockets.latest().receive({
        type: 'notification',
        conversationId: 7,
        data: { kind: 'message', messageId: 9, senderName: 'Ada', preview: 'On it', urgent: false },
      });
    });
    expect(seen).toEqual(['On it']);
  });

  it('refetches a conversation over REST when the server says it is too far behind', () => {
    queryClient.setQueryData(supportKeys.conversation(7), { conversation: {}, messages: [], hasMore: false });
    renderProvider(auth({ support_chat: true }));
    act(() => {
      sockets.latest().open();
      sockets.latest().receive({ type: 'reset_required', conversationId: 7, data: { missed: 501, lastMessageId: 900 } });
    });
    expect(queryClient.getQueryState(supportKeys.conversation(7))?.isInvalidated).toBe(true);
  });
});
