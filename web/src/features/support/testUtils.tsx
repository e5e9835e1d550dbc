import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import type { ReactNode } from 'react';
import { createMemoryRouter, RouterProvider, type RouteObject } from 'react-router';
import { ApiContext } from '../../api/ApiContext';
import { createApi, type User } from '../../api/client';
import type { ServerFrame } from '../../api/realtime';
import type { Conversation, ConversationSummary, Message } from '../../api/support';
import { fakeSocketFactory } from '../../realtime/fakeSocket';
import { createQueryCacheSync } from '../../realtime/queryCacheSync';
import { RealtimeClient } from '../../realtime/RealtimeClient';
import { RealtimeContext, type RealtimeContextValue } from '../../realtime/RealtimeContext';
import { createRealtimeStore } from '../../realtime/store';
import { initialRealtimeState } from '../../realtime/threadReducer';
import { AuthContext, type AuthContextValue } from '../auth/AuthContext';

export const ANN = { id: 2, email: 'ann@example.com', name: 'Ann', role: 'user' as const };

type Handler = (request: Request, url: URL) => Response | Promise<Response>;

export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

/** A fake server: `"GET /api/…"` → handler. Unrouted requests answer 404 and are recorded. */
export function fakeServer(routes: Record<string, Handler>) {
  const requests: { method: string; url: URL; body: unknown }[] = [];
  const fetch = async (request: Request) => {
    const url = new URL(request.url);
    const text = request.method === 'GET' ? '' : await request.clone().text();
    requests.push({ method: request.method, url, body: text === '' ? undefined : (JSON.parse(text) as unknown) });
    const handler = routes[`${request.method} ${url.pathname}`];
    if (handler === undefined) return json({ error: { code: 'not_found', message: 'Not found' } }, 404);
    return handler(request, url);
  };
  return { api: createApi({ baseUrl: 'http://support.test', fetch }), requests };
}

export function conversation(overrides: Partial<Conversation> = {}): Conversation {
  return {
    id: 7,
    subject: 'Cannot export invoices',
    status: 'open',
    priority: 'normal',
    type: 'support',
    createdAt: '2026-11-24T10:00:00Z',
    updatedAt: '2026-11-24T10:00:00Z',
    admin: null,
    user: { id: ANN.id, name: ANN.name },
    unreadCount: 0,
    tags: [],
    ...overrides,
  };
}

export function summary(overrides: Partial<ConversationSummary> = {}): ConversationSummary {
  return {
    id: 7,
    subject: 'Cannot export invoices',
    status: 'open',
    priority: 'normal',
    type: 'support',
    createdAt: '2026-11-24T10:00:00Z',
    updatedAt: '2026-11-24T10:00:00Z',
    lastMessage: 'The button does nothing',
    lastMessageAt: '2026-11-24T10:00:00Z',
    unreadCount: 0,
    admin: null,
    user: { id: ANN.id, name: ANN.name },
    tags: [],
    ...overrides,
  };
}

export function message(overrides: Partial<Message> & { id: number }): Message {
  return {
    conversationId: 7,
    seq: overrides.id,
    senderId: ANN.id,
    senderType: 'user',
    senderName: ANN.name,
    content: `message ${overrides.id}`,
    messageType: 'text',
    createdAt: '2026-11-24T10:00:00Z',
    readAt: null,
    ...overrides,
  };
}

interface RenderOptions {
  path: string;
  routes: RouteObject[];
  api: ReturnType<typeof createApi>;
  /** Who is signed in; Ann (an end user) by default. */
  user?: User;
  features?: Record<string, boolean>;
  /** Server frames reach the query caches, as in the app (`RealtimeProvider`). */
  live?: boolean;
}

/** Renders routes with the app's providers: a signed-in Ann, a fake API and a fake socket. */
export function renderWithApp({ path, routes, api, user = ANN, features = { support_chat: true }, live = false }: RenderOptions) {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const sockets = fakeSocketFactory();
  const store = createRealtimeStore(initialRealtimeState(user.id));
  const cacheSync = live ? createQueryCacheSync(queryClient) : null;
  const client = new RealtimeClient({
    store,
    createSocket: sockets.create,
    random: () => 0,
    url: () => 'ws://support.test/ws',
    ...(cacheSync ? { onFrame: (frame: ServerFrame) => { cacheSync.apply(frame, user.id); } } : {}),
  });
  const realtime: RealtimeContextValue = { store, client, subscribeFrames: () => () => undefined };
  const auth: AuthContextValue = {
    state: { status: 'signedIn', user, features },
    signIn: () => Promise.resolve(),
    signUp: () => Promise.resolve(),
    signOut: () => Promise.resolve(),
  };
  const router = createMemoryRouter(routes, { initialEntries: [path] });
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
  return { ...result, router, queryClient, sockets, store, client, cacheSync };
}
