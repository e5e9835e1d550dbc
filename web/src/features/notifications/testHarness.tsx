import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, render } from '@testing-library/react';
import type { ReactNode } from 'react';
import { createMemoryRouter, Outlet, RouterProvider, type RouteObject } from 'react-router';
import { ApiContext } from '../../api/ApiContext';
import type { createApi, User } from '../../api/client';
import type { ServerFrame } from '../../api/realtime';
import { fakeSocketFactory } from '../../realtime/fakeSocket';
import { RealtimeClient } from '../../realtime/RealtimeClient';
import { RealtimeContext, type FrameListener, type RealtimeContextValue } from '../../realtime/RealtimeContext';
import { createRealtimeStore } from '../../realtime/store';
import { initialRealtimeState } from '../../realtime/threadReducer';
import { AuthContext, type AuthContextValue } from '../auth/AuthContext';
import { ANN } from '../support/testUtils';
import { NotificationsProvider } from './NotificationsProvider';

export const ADA_ADMIN: User = { id: 1, email: 'ada@example.com', name: 'Ada', role: 'admin' };

interface Options {
  path: string;
  routes: RouteObject[];
  api: ReturnType<typeof createApi>;
  user?: User;
}

/**
 * Renders routes inside the notifications provider (as the app shell does) with a signed-in
 * person, a fake API, and a real-time context whose frames the test plays with `emit`.
 */
export function renderWithNotifications({ path, routes, api, user = ANN }: Options) {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const store = createRealtimeStore(initialRealtimeState(user.id));
  const client = new RealtimeClient({
    store,
    createSocket: fakeSocketFactory().create,
    random: () => 0,
    url: () => 'ws://support.test/ws',
  });
  const listeners = new Set<FrameListener>();
  const realtime: RealtimeContextValue = {
    store,
    client,
    subscribeFrames: (listener) => {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
  const auth: AuthContextValue = {
    state: { status: 'signedIn', user, features: { support_chat: true } },
    signIn: () => Promise.resolve(),
    signUp: () => Promise.resolve(),
    signOut: () => Promise.resolve(),
  };
  const router = createMemoryRouter(
    [
      {
        element: (
          <NotificationsProvider>
            <Outlet />
          </NotificationsProvider>
        ),
        children: routes,
      },
    ],
    { initialEntries: [path] },
  );
  function Providers({ children }: { children: ReactNode }) {
    return (
      <QueryClientProvider client={queryClient}>
        <ApiContext value={api}>
          <AuthContext value={auth}>
            <RealtimeContext value={realtime}>{children}</RealtimeContext>
          </AuthContext>
        </ApiContext>
      </QueryClientProvider>
    );
  }
  const result = render(
    <Providers>
      <RouterProvider router={router} />
    </Providers>,
  );
  const emit = (frame: ServerFrame) => {
    act(() => {
      for (const listener of [...listeners]) listener(frame);
    });
  };
  return { ...result, router, queryClient, store, emit };
}

/** Stands in for the browser's `Notification`: records what the app showed. */
export class FakeNotification {
  static permission: NotificationPermission = 'granted';
  static shown: FakeNotification[] = [];
  static requests = 0;
  static answer: NotificationPermission = 'granted';
  static requestPermission(): Promise<NotificationPermission> {
    FakeNotification.requests += 1;
    FakeNotification.permission = FakeNotification.answer;
    return Promise.resolve(FakeNotification.answer);
  }
  static reset(permission: NotificationPermission = 'granted') {
    FakeNotification.permission = permission;
    FakeNotification.answer = 'granted';
    FakeNotification.shown = [];
    FakeNotification.requests = 0;
  }

  readonly title: string;
  readonly options: NotificationOptions;
  closed = false;
  onclick: ((event: Event) => void) | null = null;

  constructor(title: string, options: NotificationOptions = {}) {
    this.title = title;
    this.options = options;
    FakeNotification.shown.push(this);
  }

  close() {
    this.closed = true;
  }
}

/** Makes `document.hidden` answer `hidden` (and tells listeners, as a tab switch would). */
export function setPageHidden(hidden: boolean) {
  Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden });
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (hidden ? 'hidden' : 'visible') });
  act(() => {
    document.dispatchEvent(new Event('visibilitychange'));
  });
}
