import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ServerFrame } from '../../api/realtime';
import { conversation, fakeServer, json, message, summary } from '../support/testUtils';
import { preferencesKey, type NotificationPreferences } from './preferences';
import { ADA_ADMIN, FakeNotification, renderWithNotifications, setPageHidden } from './testHarness';
import { TOAST_TIMEOUT_MS } from './ToastRegion';

let messageId = 100;
function notification(conversationId: number, senderName = 'Ada', preview = 'We fixed it'): ServerFrame {
  messageId += 1;
  return { type: 'notification', conversationId, data: { kind: 'message', messageId, senderName, preview, urgent: false } };
}

const routes = [
  {
    path: '/',
    element: (
      <>
        <title>Dashboard · support-chat</title>
        <p>Home</p>
      </>
    ),
  },
  { path: '/support/:id', element: <p>Conversation page</p> },
  { path: '/admin/support/:id', element: <p>Admin conversation page</p> },
];

function server(prefs: NotificationPreferences = { browser: true, sound: false, emailUrgent: false }, unread: number[] = []) {
  const state = { unread };
  const fake = fakeServer({
    'GET /api/support-chat/notification-preferences': () => json(prefs),
    'GET /api/support-chat/conversations': () =>
      json({
        conversations: state.unread.map((n, i) => summary({ id: i + 1, unreadCount: n })),
        pagination: { page: 1, pageSize: 20, total: state.unread.length, hasMore: false },
      }),
  });
  return { ...fake, state };
}

async function start(path: string, options: { prefs?: NotificationPreferences; unread?: number[]; user?: typeof ADA_ADMIN } = {}) {
  const { api, state } = server(options.prefs, options.unread);
  const app = renderWithNotifications({ path, routes, api, ...(options.user ? { user: options.user } : {}) });
  await waitFor(() => {
    expect(app.queryClient.getQueryData(preferencesKey)).toBeDefined();
  });
  return { ...app, state };
}

function first<T>(items: readonly T[], index = 0): T {
  const item = items[index];
  if (item === undefined) throw new Error(`nothing at ${index}`);
  return item;
}

function toasts() {
  return within(screen.getByRole('region', { name: 'Message notifications' })).queryAllByRole('listitem');
}

beforeEach(() => {
  FakeNotification.reset();
  vi.stubGlobal('Notification', FakeNotification);
});

afterEach(() => {
  cleanup();
  vi.useRealTimers();
  vi.unstubAllGlobals();
  setPageHidden(false);
});

describe('toasts', () => {
  it('shows one toast per conversation burst, counting its messages', async () => {
    const { emit } = await start('/');
    emit(notification(7, 'Ada', 'first'));
    emit(notification(7, 'Ada', 'second'));
    emit(notification(7, 'Ada', 'third'));

    expect(toasts()).toHaveLength(1);
    const open = screen.getByRole('link', { name: /3 new messages from Ada/ });
    expect(open.getAttribute('href')).toBe('/support/7');
    expect(within(open).getByText('third')).toBeTruthy();

    emit(notification(8, 'Bob', 'other'));
    expect(toasts()).toHaveLength(2);
    expect(screen.getByRole('link', { name: /New message from Bob/ })).toBeTruthy();
  });

  it('never toasts for the conversation on screen', async () => {
    const { emit } = await start('/support/7');
    emit(notification(7));
    expect(toasts()).toHaveLength(0);
    emit(notification(8));
    expect(toasts()).toHaveLength(1);
  });

  it('opens the conversation when clicked and goes away', async () => {
    const { emit, router } = await start('/');
    emit(notification(7));
    fireEvent.click(screen.getByRole('link', { name: /New message from Ada/ }));
    expect(router.state.location.pathname).toBe('/support/7');
    expect(await screen.findByText('Conversation page')).toBeTruthy();
    expect(toasts()).toHaveLength(0);
  });

  it('links admins to the admin conversation page and tells them about new conversations', async () => {
    const { emit } = await start('/', { user: ADA_ADMIN });
    emit({
      type: 'conversation_created',
      conversationId: 12,
      data: {
        conversation: conversation({ id: 12, subject: 'Charged twice', priority: 'urgent', user: { id: 5, name: 'Ann' } }),
        message: message({ id: 70, conversationId: 12, senderId: 5, content: 'Please refund one' }),
      },
    });
    const open = screen.getByRole('link', { name: /New conversation from Ann/ });
    expect(open.getAttribute('href')).toBe('/admin/support/12');
    expect(within(open).getByText('Urgent')).toBeTruthy();
    expect(within(open).getByText('Charged twice')).toBeTruthy();
  });

  it('is dismissed with its button, and the next message starts a new toast', async () => {
    const { emit } = await start('/');
    emit(notification(7));
    emit(notification(7));
    fireEvent.click(screen.getByRole('button', { name: 'Dismiss: 2 new messages from Ada' }));
    expect(toasts()).toHaveLength(0);
    emit(notification(7));
    expect(screen.getByRole('link', { name: /New message from Ada/ })).toBeTruthy();
  });

  it('hides by itself after a while, but not while the pointer is on it', async () => {
    const { emit } = await start('/');
    vi.useFakeTimers();
    emit(notification(7));
    const toast = first(toasts());
    fireEvent.mouseEnter(toast);
    act(() => {
      vi.advanceTimersByTime(TOAST_TIMEOUT_MS * 3);
    });
    expect(toasts()).toHaveLength(1);
    fireEvent.mouseLeave(toast);
    act(() => {
      vi.advanceTimersByTime(TOAST_TIMEOUT_MS - 100);
    });
    expect(toasts()).toHaveLength(1);
    // A new message restarts the countdown on the same toast.
    emit(notification(7));
    act(() => {
      vi.advanceTimersByTime(TOAST_TIMEOUT_MS - 100);
    });
    expect(screen.getByRole('link', { name: /2 new messages from Ada/ })).toBeTruthy();
    act(() => {
      vi.advanceTimersByTime(200);
    });
    expect(toasts()).toHaveLength(0);
  });
});

describe('browser notifications', () => {
  it('shows one per burst while the tab is hidden, replacing itself, and opens the conversation', async () => {
    const { emit, router } = await start('/');
    setPageHidden(true);
    emit(notification(7));
    emit(notification(7));
    expect(FakeNotification.shown.map((n) => [n.title, n.options.tag])).toEqual([
      ['New message from Ada', 'support-chat-conversation-7'],
      ['2 new messages from Ada', 'support-chat-conversation-7'],
    ]);
    first(FakeNotification.shown, 1).onclick?.(new Event('click'));
    expect(router.state.location.pathname).toBe('/support/7');
    expect(first(FakeNotification.shown, 1).closed).toBe(true);
  });

  it('tells a hidden tab about the conversation it shows, without a toast', async () => {
    const { emit } = await start('/support/7');
    setPageHidden(true);
    emit(notification(7));
    expect(FakeNotification.shown).toHaveLength(1);
    expect(toasts()).toHaveLength(0);
    // Coming back to the tab takes it away.
    setPageHidden(false);
    expect(first(FakeNotification.shown).closed).toBe(true);
  });

  it('stays in the app while the tab is in front', async () => {
    const { emit } = await start('/');
    emit(notification(7));
    expect(FakeNotification.shown).toHaveLength(0);
    expect(toasts()).toHaveLength(1);
  });

  it('is not shown when the preference is off or the browser was not allowed', async () => {
    const { emit } = await start('/', { prefs: { browser: false, sound: false, emailUrgent: false } });
    setPageHidden(true);
    emit(notification(7));
    expect(FakeNotification.shown).toHaveLength(0);
    cleanup();

    FakeNotification.reset('default');
    const again = await start('/');
    setPageHidden(true);
    again.emit(notification(7));
    expect(FakeNotification.shown).toHaveLength(0);
    expect(FakeNotification.requests).toBe(0);
  });
});

describe('the tab title', () => {
  it('starts with the unread count and follows it', async () => {
    const { state, queryClient } = await start('/', { unread: [2, 0, 1] });
    await waitFor(() => {
      expect(document.title).toBe('(3) Dashboard · support-chat');
    });
    state.unread = [0, 0, 0];
    await act(() => queryClient.invalidateQueries());
    await waitFor(() => {
      expect(document.title).toBe('Dashboard · support-chat');
    });
  });
});
