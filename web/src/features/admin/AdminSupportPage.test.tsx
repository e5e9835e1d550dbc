import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { conversation, fakeServer, json, renderWithApp, summary } from '../support/testUtils';
import { AdminSupportPage } from './AdminSupportPage';
import { ADA, BO, queuePage, stats } from './testData';

afterEach(cleanup);

const routes = [
  { path: '/admin/support', element: <AdminSupportPage /> },
  { path: '/admin/support/:id', element: <p>Conversation page</p> },
];

const base = {
  'GET /api/support-chat/admin/admins': () => json({ admins: [ADA, BO] }),
  'GET /api/support-chat/admin/stats': () => json(stats()),
};

function rowOf(subject: string): HTMLElement {
  const link = screen.getByRole('link', { name: subject });
  const row = link.closest('tr');
  if (row === null) throw new Error(`no row for ${subject}`);
  return row;
}

const urgentOne = summary({
  id: 7,
  subject: 'Printer on fire',
  priority: 'urgent',
  unreadCount: 2,
  createdAt: new Date(Date.now() - 12 * 60_000).toISOString(),
  user: { id: 2, name: 'Ann', email: 'ann@example.com' },
  tags: ['hardware'],
});
const answered = summary({ id: 8, subject: 'Invoice copy', firstResponseMs: 4 * 60_000, admin: { id: BO.id, name: BO.name } });

describe('AdminSupportPage', () => {
  it('lists conversations with priority, unread, response time, customer and assignee', async () => {
    const { api } = fakeServer({ ...base, 'GET /api/support-chat/admin/conversations': () => queuePage([urgentOne, answered]) });
    renderWithApp({ path: '/admin/support', routes, api, user: ADA });

    await screen.findByRole('link', { name: 'Printer on fire' });
    const urgent = rowOf('Printer on fire');
    expect(within(urgent).getByText('Urgent')).toBeTruthy();
    expect(urgent.getAttribute('data-priority')).toBe('urgent');
    expect(within(urgent).getByText('2 unread')).toBeTruthy();
    expect(within(urgent).getByText(/^Waiting 1[12] min$/)).toBeTruthy();
    expect(within(urgent).getByText(/ann@example.com/)).toBeTruthy();
    expect(within(urgent).getByText('hardware')).toBeTruthy();
    expect(within(urgent).getByRole<HTMLSelectElement>('combobox', { name: 'Assignee' }).value).toBe('');
    expect(within(urgent).getByRole('link', { name: 'Printer on fire' }).getAttribute('href')).toBe('/admin/support/7');

    const other = rowOf('Invoice copy');
    expect(within(other).queryByText('Urgent')).toBeNull();
    expect(within(other).getByText('Replied in 4 min')).toBeTruthy();
    expect(within(other).getByRole<HTMLSelectElement>('combobox', { name: 'Assignee' }).value).toBe(String(BO.id));
    // Live counts as shortcuts.
    expect(screen.getByRole('link', { name: '1 Urgent' }).getAttribute('href')).toBe('/admin/support?priority=urgent');
  });

  it('puts filters in the address and asks the server for them; Back returns to the previous view', async () => {
    const { api, requests } = fakeServer({
      ...base,
      'GET /api/support-chat/admin/conversations': (_, url) =>
        url.searchParams.get('status') === 'open' ? queuePage([urgentOne]) : queuePage([urgentOne, answered]),
    });
    const { router } = renderWithApp({ path: '/admin/support', routes, api, user: ADA });
    await screen.findByRole('link', { name: 'Invoice copy' });

    fireEvent.change(screen.getByRole('combobox', { name: 'Filter by status' }), { target: { value: 'open' } });
    await waitFor(() => { expect(screen.queryByRole('link', { name: 'Invoice copy' })).toBeNull(); });
    expect(router.state.location.search).toBe('?status=open');
    const listCalls = () => requests.filter((r) => r.url.pathname === '/api/support-chat/admin/conversations');
    expect(listCalls().at(-1)?.url.searchParams.get('status')).toBe('open');

    fireEvent.change(screen.getByRole('combobox', { name: 'Filter by assignee' }), { target: { value: 'me' } });
    await waitFor(() => { expect(router.state.location.search).toBe('?status=open&assignee=me'); });
    await waitFor(() => { expect(listCalls().at(-1)?.url.searchParams.get('adminId')).toBe(String(ADA.id)); });

    await act(() => router.navigate(-1));
    expect(router.state.location.search).toBe('?status=open');
    expect(screen.getByRole<HTMLSelectElement>('combobox', { name: 'Filter by assignee' }).value).toBe('any');
    await act(() => router.navigate(-1));
    expect(screen.getByRole<HTMLSelectElement>('combobox', { name: 'Filter by status' }).value).toBe('');
    expect(await screen.findByRole('link', { name: 'Invoice copy' })).toBeTruthy();
  });

  it('searches once typing pauses, not on every key', async () => {
    const { api, requests } = fakeServer({ ...base, 'GET /api/support-chat/admin/conversations': () => queuePage([urgentOne]) });
    const { router } = renderWithApp({ path: '/admin/support', routes, api, user: ADA });
    await screen.findByRole('link', { name: 'Printer on fire' });

    const box = screen.getByRole('searchbox', { name: 'Search conversations' });
    for (const text of ['p', 'pr', 'pri', 'prin', 'print']) fireEvent.change(box, { target: { value: text } });

    await waitFor(() => { expect(router.state.location.search).toBe('?q=print'); });
    await waitFor(() => {
      expect(requests.some((r) => r.url.searchParams.get('q') === 'print')).toBe(true);
    });
    const searched = requests.filter((r) => r.url.searchParams.has('q')).map((r) => r.url.searchParams.get('q'));
    expect(searched).toEqual(['print']);

    // Refining the search replaces the history entry; Back leaves the search altogether.
    fireEvent.change(box, { target: { value: 'printer' } });
    await waitFor(() => { expect(router.state.location.search).toBe('?q=printer'); });
    await act(() => router.navigate(-1));
    expect(router.state.location.search).toBe('');
    expect(screen.getByRole<HTMLInputElement>('searchbox', { name: 'Search conversations' }).value).toBe('');
  });

  it('assigns a conversation to me in one click', async () => {
    let row = urgentOne;
    const { api, requests } = fakeServer({
      ...base,
      'GET /api/support-chat/admin/conversations': () => queuePage([row]),
      'PUT /api/support-chat/conversations/7': () => {
        row = { ...row, admin: { id: ADA.id, name: ADA.name } };
        return json(conversation({ id: 7, subject: 'Printer on fire', priority: 'urgent', admin: row.admin }));
      },
    });
    renderWithApp({ path: '/admin/support', routes, api, user: ADA });
    await screen.findByRole('link', { name: 'Printer on fire' });

    fireEvent.click(within(rowOf('Printer on fire')).getByRole('button', { name: 'Assign to me' }));

    await waitFor(() => {
      expect(within(rowOf('Printer on fire')).getByRole<HTMLSelectElement>('combobox', { name: 'Assignee' }).value).toBe(String(ADA.id));
    });
    expect(requests.find((r) => r.method === 'PUT')?.body).toEqual({ adminId: ADA.id });
    expect(within(rowOf('Printer on fire')).queryByRole('button', { name: 'Assign to me' })).toBeNull();
  });

  it('moves a conversation along open → in progress with the status button, and says when it fails', async () => {
    let fail = false;
    let row = urgentOne;
    const { api, requests } = fakeServer({
      ...base,
      'GET /api/support-chat/admin/conversations': () => queuePage([row]),
      'PUT /api/support-chat/conversations/7': () => {
        if (fail) return json({ error: { code: 'unavailable', message: 'Database down' } }, 503);
        row = { ...row, status: 'in_progress' };
        return json(conversation({ id: 7, subject: 'Printer on fire', status: 'in_progress', priority: 'urgent' }));
      },
    });
    renderWithApp({ path: '/admin/support', routes, api, user: ADA });
    await screen.findByRole('link', { name: 'Printer on fire' });

    fireEvent.click(within(rowOf('Printer on fire')).getByRole('button', { name: 'Mark in progress' }));
    await waitFor(() => { expect(within(rowOf('Printer on fire')).getByText('In progress')).toBeTruthy(); });
    expect(requests.find((r) => r.method === 'PUT')?.body).toEqual({ status: 'in_progress' });
    expect(within(rowOf('Printer on fire')).queryByRole('button', { name: 'Mark in progress' })).toBeNull();

    fail = true;
    fireEvent.click(within(rowOf('Printer on fire')).getByRole('button', { name: 'Close' }));
    const alert = await within(rowOf('Printer on fire')).findByRole('alert');
    expect(alert.textContent).toContain('Couldn\'t change “Printer on fire”');
    expect(alert.textContent).toContain('Something went wrong on our side');
  });

  it('closes every selected conversation at once and says how many', async () => {
    const { api, requests } = fakeServer({
      ...base,
      'GET /api/support-chat/admin/conversations': () => queuePage([urgentOne, answered]),
      'POST /api/support-chat/admin/conversations/bulk': () => json({ updated: 2 }),
    });
    renderWithApp({ path: '/admin/support', routes, api, user: ADA });
    await screen.findByRole('link', { name: 'Printer on fire' });

    const selectAll = screen.getByRole('checkbox', { name: 'Select all on this page' });
    fireEvent.click(selectAll);
    expect(screen.getByRole<HTMLInputElement>('checkbox', { name: 'Select “Invoice copy”' }).checked).toBe(true);
    expect(screen.getByText('2 conversations selected')).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'Close selected' }));

    expect(await screen.findByText('Closed 2 conversations.')).toBeTruthy();
    expect(requests.find((r) => r.method === 'POST')?.body).toEqual({ ids: [7, 8], action: 'close' });
    expect(screen.getByRole<HTMLInputElement>('checkbox', { name: 'Select “Printer on fire”' }).checked).toBe(false);
    expect(screen.getByText('Nothing selected')).toBeTruthy();
  });

  it('marks "select all" as mixed when only some rows are ticked, and assigns and tags just those', async () => {
    const { api, requests } = fakeServer({
      ...base,
      'GET /api/support-chat/admin/conversations': () => queuePage([urgentOne, answered]),
      'POST /api/support-chat/admin/conversations/bulk': () => json({ updated: 1 }),
    });
    renderWithApp({ path: '/admin/support', routes, api, user: ADA });
    await screen.findByRole('link', { name: 'Printer on fire' });

    fireEvent.click(screen.getByRole('checkbox', { name: 'Select “Invoice copy”' }));
    expect(screen.getByRole<HTMLInputElement>('checkbox', { name: 'Select all on this page' }).indeterminate).toBe(true);

    fireEvent.change(screen.getByRole('combobox', { name: 'Assign selected to' }), { target: { value: String(BO.id) } });
    fireEvent.click(screen.getByRole('button', { name: 'Assign selected' }));
    expect(await screen.findByText('Assigned 1 conversation to Bo.')).toBeTruthy();
    expect(requests.filter((r) => r.method === 'POST').at(-1)?.body).toEqual({ ids: [8], action: 'assign', adminId: BO.id });

    fireEvent.click(screen.getByRole('checkbox', { name: 'Select “Invoice copy”' }));
    fireEvent.change(screen.getByRole('textbox', { name: 'Tags for selected' }), { target: { value: 'Billing, vip, billing' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add tags' }));
    expect(await screen.findByText('Tagged 1 conversation with billing, vip.')).toBeTruthy();
    expect(requests.filter((r) => r.method === 'POST').at(-1)?.body).toEqual({ ids: [8], action: 'tag', tags: ['billing', 'vip'] });
  });

  it('shows the server’s reason when a bulk action is refused, and keeps the selection', async () => {
    const { api } = fakeServer({
      ...base,
      'GET /api/support-chat/admin/conversations': () => queuePage([urgentOne, answered]),
      'POST /api/support-chat/admin/conversations/bulk': () =>
        json({ error: { code: 'validation_failed', message: 'Invalid', fields: { adminId: 'adminId must be the id of an admin' } } }, 422),
    });
    renderWithApp({ path: '/admin/support', routes, api, user: ADA });
    await screen.findByRole('link', { name: 'Printer on fire' });

    fireEvent.click(screen.getByRole('checkbox', { name: 'Select “Printer on fire”' }));
    fireEvent.click(screen.getByRole('button', { name: 'Archive selected' }));

    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe('Nothing was changed: adminId must be the id of an admin');
    expect(screen.getByRole<HTMLInputElement>('checkbox', { name: 'Select “Printer on fire”' }).checked).toBe(true);
  });

  it('shows a new conversation the moment it is opened, without reloading', async () => {
    const { api, requests } = fakeServer({ ...base, 'GET /api/support-chat/admin/conversations': () => queuePage([answered]) });
    const { client, sockets, cacheSync } = renderWithApp({ path: '/admin/support', routes, api, user: ADA, live: true });
    await screen.findByRole('link', { name: 'Invoice copy' });
    const listCalls = () => requests.filter((r) => r.url.pathname === '/api/support-chat/admin/conversations').length;
    const before = listCalls();
    act(() => {
      client.start();
      sockets.latest().open();
    });
    // Connecting refreshes the queue once: events from before the socket was up are not lost.
    await waitFor(() => { expect(listCalls()).toBe(before + 1); });
    const fetched = requests.length;

    act(() => {
      sockets.latest().receive({
        type: 'conversation_created',
        conversationId: 50,
        data: {
          conversation: conversation({ id: 50, subject: 'Cannot log in', priority: 'urgent' }),
          message: { id: 90, conversationId: 50, seq: 1, senderId: 2, senderType: 'user', senderName: 'Ann', content: 'Password reset loops', messageType: 'text', createdAt: new Date().toISOString(), readAt: null },
        },
      });
    });

    await screen.findByRole('link', { name: 'Cannot log in' });
    const row = rowOf('Cannot log in');
    expect(within(row).getByText('Urgent')).toBeTruthy();
    expect(within(row).getByText('Password reset loops')).toBeTruthy();
    expect(within(row).getByText('1 unread')).toBeTruthy();
    expect(requests.length).toBe(fetched);
    cacheSync?.dispose();
    client.stop();
  });

  it('explains a failed load and tries again', async () => {
    let fail = true;
    const { api } = fakeServer({
      ...base,
      'GET /api/support-chat/admin/conversations': () =>
        fail ? json({ error: { code: 'internal', message: 'boom' } }, 500) : queuePage([answered]),
    });
    renderWithApp({ path: '/admin/support', routes, api, user: ADA });

    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain("Couldn't load the queue");
    fail = false;
    fireEvent.click(within(alert).getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('link', { name: 'Invoice copy' })).toBeTruthy();
  });

  it('says when no conversation matches and clears the filters', async () => {
    const { api } = fakeServer({
      ...base,
      'GET /api/support-chat/admin/conversations': (_, url) => (url.searchParams.has('tag') ? queuePage([]) : queuePage([answered])),
    });
    const { router } = renderWithApp({ path: '/admin/support?tag=vip', routes, api, user: ADA });

    expect(await screen.findByRole('heading', { name: 'No conversations match these filters' })).toBeTruthy();
    fireEvent.click(within(screen.getByRole('region', { name: 'Conversations' })).getByRole('button', { name: 'Clear filters' }));
    expect(await screen.findByRole('link', { name: 'Invoice copy' })).toBeTruthy();
    expect(router.state.location.search).toBe('');
  });

  it('pages through the queue', async () => {
    const { api } = fakeServer({
      ...base,
      'GET /api/support-chat/admin/conversations': (_, url) =>
        url.searchParams.get('page') === '2'
          ? queuePage([summary({ id: 60, subject: 'On page two' })], { page: 2, total: 26 })
          : queuePage([answered], { total: 26, hasMore: true }),
    });
    const { router } = renderWithApp({ path: '/admin/support', routes, api, user: ADA });
    await screen.findByText('Page 1 of 2 · 26 conversations');
    expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Previous page' }).disabled).toBe(true);

    fireEvent.click(screen.getByRole('button', { name: 'Next page' }));

    expect(await screen.findByRole('link', { name: 'On page two' })).toBeTruthy();
    expect(router.state.location.search).toBe('?page=2');
    expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Next page' }).disabled).toBe(true);
  });
});
