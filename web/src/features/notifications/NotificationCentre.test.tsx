import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ServerFrame } from '../../api/realtime';
import type { ConversationSummary } from '../../api/support';
import { conversation, fakeServer, json, message, summary } from '../support/testUtils';
import { NotificationCentre } from './NotificationCentre';
import { ADA_ADMIN, renderWithNotifications } from './testHarness';

const routes = [
  { path: '/', element: <NotificationCentre /> },
  { path: '/admin/support/:id', element: <p>Admin conversation page</p> },
];

function page(conversations: ConversationSummary[]) {
  return json({ conversations, pagination: { page: 1, pageSize: 20, total: conversations.length, hasMore: false } });
}

function server(rows: { fresh?: ConversationSummary[]; urgent?: ConversationSummary[]; mine?: ConversationSummary[] }, fail = false) {
  return fakeServer({
    'GET /api/support-chat/notification-preferences': () => json({ browser: false, sound: false, emailUrgent: false }),
    'GET /api/support-chat/conversations': () => page([]),
    'GET /api/support-chat/admin/conversations': (_, url) => {
      if (fail) return json({ error: { code: 'unavailable', message: 'Down' } }, 503);
      const q = url.searchParams;
      if (q.get('unassigned') === 'true') return page(rows.fresh ?? []);
      if (q.get('priority') === 'urgent') return page(rows.urgent ?? []);
      if (q.get('adminId') === String(ADA_ADMIN.id)) return page(rows.mine ?? []);
      return page([]);
    },
  });
}

const today = new Date().toISOString();
const fresh = summary({ id: 1, subject: 'Cannot log in', lastMessage: 'Stuck on the login page', lastMessageAt: today, createdAt: today });
const urgent = summary({
  id: 2,
  subject: 'Site is down',
  priority: 'urgent',
  status: 'in_progress',
  admin: { id: 9, name: 'Bea' },
  lastMessageAt: today,
});
const mine = summary({ id: 3, subject: 'Invoice copy', status: 'in_progress', admin: { id: ADA_ADMIN.id, name: 'Ada' }, lastMessageAt: today });

beforeEach(() => {
  window.localStorage.clear();
});
afterEach(cleanup);

describe('NotificationCentre', () => {
  it('counts what needs the admin in the bell and lists it, each linking to its conversation', async () => {
    const { api, requests } = server({ fresh: [fresh], urgent: [urgent], mine: [mine] });
    renderWithNotifications({ path: '/', routes, api, user: ADA_ADMIN });

    const bell = await screen.findByRole('button', { name: 'Notifications, 3 unread' });
    fireEvent.click(bell);
    const panel = screen.getByRole('dialog', { name: 'Notifications' });
    expect(bell.getAttribute('aria-expanded')).toBe('true');
    const links = within(panel).getAllByRole('link');
    expect(links).toHaveLength(3);
    const down = within(panel).getByRole('link', { name: /Site is down/ });
    expect(down.getAttribute('href')).toBe('/admin/support/2');
    expect(within(down).getByText('Urgent')).toBeTruthy();
    expect(within(within(panel).getByRole('link', { name: /Invoice copy/ })).getByText('Assigned to you')).toBeTruthy();
    expect(within(within(panel).getByRole('link', { name: /Cannot log in/ })).getByText('New')).toBeTruthy();
    // Opening fetched the lists again.
    await waitFor(() => {
      expect(requests.filter((r) => r.url.pathname === '/api/support-chat/admin/conversations')).toHaveLength(6);
    });
  });

  it('marks everything seen, and counts what arrives afterwards', async () => {
    const { api } = server({ fresh: [fresh] });
    const { emit } = renderWithNotifications({ path: '/', routes, api, user: ADA_ADMIN });
    fireEvent.click(await screen.findByRole('button', { name: 'Notifications, 1 unread' }));
    fireEvent.click(screen.getByRole('button', { name: 'Mark all as seen' }));
    expect(screen.getByRole('button', { name: 'Notifications' })).toBeTruthy();
    expect(within(screen.getByRole('dialog')).queryByText('Unread')).toBeNull();

    const created: ServerFrame = {
      type: 'conversation_created',
      conversationId: 20,
      data: {
        conversation: conversation({
          id: 20,
          subject: 'Refund please',
          createdAt: new Date(Date.now() + 1_000).toISOString(),
          user: { id: 5, name: 'Ann' },
        }),
        message: message({ id: 90, conversationId: 20, senderId: 5, content: 'Charged twice' }),
      },
    };
    emit(created);
    expect(screen.getByRole('button', { name: 'Notifications, 1 unread' })).toBeTruthy();
    expect(within(screen.getByRole('dialog')).getByRole('link', { name: /Refund please/ })).toBeTruthy();
  });

  it('updates live: an assignment to me appears, a closed conversation leaves', async () => {
    const { api } = server({ fresh: [fresh] });
    const { emit } = renderWithNotifications({ path: '/', routes, api, user: ADA_ADMIN });
    fireEvent.click(await screen.findByRole('button', { name: 'Notifications, 1 unread' }));
    const panel = screen.getByRole('dialog');
    await within(panel).findByRole('link', { name: /Cannot log in/ });

    emit({ type: 'conversation_updated', conversationId: 1, data: { adminId: ADA_ADMIN.id } });
    expect(within(within(panel).getByRole('link', { name: /Cannot log in/ })).getByText('Assigned to you')).toBeTruthy();
    emit({ type: 'conversation_updated', conversationId: 1, data: { status: 'closed' } });
    expect(within(panel).queryByRole('link', { name: /Cannot log in/ })).toBeNull();
    expect(within(panel).getByText(/Nothing needs you right now/)).toBeTruthy();
  });

  it('closes with Escape and gives focus back to the bell', async () => {
    const { api } = server({ fresh: [fresh] });
    renderWithNotifications({ path: '/', routes, api, user: ADA_ADMIN });
    const bell = await screen.findByRole('button', { name: /^Notifications/ });
    fireEvent.click(bell);
    const panel = screen.getByRole('dialog', { name: 'Notifications' });
    expect(panel.contains(document.activeElement)).toBe(true);

    fireEvent.keyDown(document.activeElement ?? document.body, { key: 'Escape' });
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.activeElement).toBe(bell);
    expect(bell.getAttribute('aria-expanded')).toBe('false');
  });

  it('goes to the conversation and closes when an item is chosen', async () => {
    const { api } = server({ urgent: [urgent] });
    const { router } = renderWithNotifications({ path: '/', routes, api, user: ADA_ADMIN });
    fireEvent.click(await screen.findByRole('button', { name: 'Notifications, 1 unread' }));
    fireEvent.click(within(screen.getByRole('dialog')).getByRole('link', { name: /Site is down/ }));
    expect(router.state.location.pathname).toBe('/admin/support/2');
    expect(await screen.findByText('Admin conversation page')).toBeTruthy();
  });

  it('explains a failure to load and tries again', async () => {
    const { api } = server({}, true);
    renderWithNotifications({ path: '/', routes, api, user: ADA_ADMIN });
    const bell = await screen.findByRole('button', { name: 'Notifications' });
    await act(async () => {
      fireEvent.click(bell);
      await Promise.resolve();
    });
    const alert = await within(screen.getByRole('dialog')).findByRole('alert');
    expect(alert.textContent).toContain("Couldn't load notifications.");
    expect(within(alert).getByRole('button', { name: 'Try again' })).toBeTruthy();
  });
});
