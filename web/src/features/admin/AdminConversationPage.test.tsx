import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { Conversation } from '../../api/support';
import { conversation, fakeServer, json, message, renderWithApp, summary } from '../support/testUtils';
import { AdminConversationPage } from './AdminConversationPage';
import { AdminSupportPage } from './AdminSupportPage';
import { ADA, BO, queuePage, stats } from './testData';

afterEach(cleanup);

const routes = [
  { path: '/admin/support/:id', element: <AdminConversationPage /> },
  { path: '/admin/support', element: <p>Queue page</p> },
];

/** A fake server that remembers changes to conversation 7, like the real one. */
function server(options: { failPut?: boolean } = {}) {
  let current: Conversation = conversation({
    id: 7,
    subject: 'Printer on fire',
    priority: 'high',
    user: { id: 2, name: 'Ann', email: 'ann@example.com' },
    tags: ['hardware'],
    firstResponseMs: 90_000,
    lastMessageId: 1,
  });
  return fakeServer({
    'GET /api/support-chat/conversations/7': () =>
      json({ conversation: current, messages: [message({ id: 1, content: 'It is smoking' })], hasMore: false }),
    'GET /api/support-chat/admin/admins': () => json({ admins: [ADA, BO] }),
    'PUT /api/support-chat/conversations/7': async (request) => {
      if (options.failPut) return json({ error: { code: 'validation_failed', message: 'Invalid', fields: { subject: 'subject must be 1 to 255 characters' } } }, 400);
      const body = (await request.json()) as { status?: Conversation['status']; priority?: Conversation['priority']; adminId?: number | null; subject?: string };
      current = {
        ...current,
        ...(body.status ? { status: body.status } : {}),
        ...(body.priority ? { priority: body.priority } : {}),
        ...(body.subject ? { subject: body.subject } : {}),
        ...(body.adminId !== undefined ? { admin: body.adminId === null ? null : [ADA, BO].find((a) => a.id === body.adminId) ?? null } : {}),
      };
      return json(current);
    },
    'POST /api/support-chat/admin/conversations/bulk': async (request) => {
      const body = (await request.json()) as { tags: string[] };
      current = { ...current, tags: [...current.tags, ...body.tags].sort() };
      return json({ updated: 1 });
    },
  });
}

async function open(options: { failPut?: boolean } = {}) {
  const { api, requests } = server(options);
  const app = renderWithApp({ path: '/admin/support/7', routes, api, user: ADA });
  await screen.findByRole('heading', { name: 'Printer on fire' });
  return { ...app, requests };
}

const settings = () => screen.getByRole('group', { name: 'Conversation settings' });

describe('AdminConversationPage', () => {
  it('shows the end user, the settings, the response time, the tags and the thread', async () => {
    await open();

    expect(screen.getByText('Ann', { selector: 'strong' })).toBeTruthy();
    expect(screen.getByRole('link', { name: 'ann@example.com' }).getAttribute('href')).toBe('mailto:ann@example.com');
    expect(screen.getByText('First reply in 1 min')).toBeTruthy();
    expect(within(screen.getByRole('list', { name: 'Tags' })).getByText('hardware')).toBeTruthy();
    expect(within(settings()).getByRole<HTMLSelectElement>('combobox', { name: 'Status' }).value).toBe('open');
    expect(within(settings()).getByRole<HTMLSelectElement>('combobox', { name: 'Priority' }).value).toBe('high');
    expect(within(settings()).getByRole<HTMLSelectElement>('combobox', { name: 'Assignee' }).value).toBe('');
    expect(within(screen.getByRole('log', { name: 'Messages' })).getByText('It is smoking')).toBeTruthy();
  });

  it('changes status, priority and assignee, and shows the result', async () => {
    const { requests } = await open();

    fireEvent.change(within(settings()).getByRole('combobox', { name: 'Status' }), { target: { value: 'in_progress' } });
    await waitFor(() => { expect(within(settings()).getByRole<HTMLSelectElement>('combobox', { name: 'Status' }).disabled).toBe(false); });
    fireEvent.change(within(settings()).getByRole('combobox', { name: 'Priority' }), { target: { value: 'urgent' } });
    await screen.findByText('Urgent');
    fireEvent.click(within(settings()).getByRole('button', { name: 'Assign to me' }));
    await waitFor(() => { expect(within(settings()).getByRole<HTMLSelectElement>('combobox', { name: 'Assignee' }).value).toBe(String(ADA.id)); });

    expect(requests.filter((r) => r.method === 'PUT').map((r) => r.body)).toEqual([
      { status: 'in_progress' },
      { priority: 'urgent' },
      { adminId: ADA.id },
    ]);
    expect(screen.getAllByText('In progress').length).toBeGreaterThan(0);
    expect(within(settings()).queryByRole('button', { name: 'Assign to me' })).toBeNull();
  });

  it('says that replying does not reopen a closed conversation', async () => {
    await open();
    fireEvent.change(within(settings()).getByRole('combobox', { name: 'Status' }), { target: { value: 'closed' } });
    expect(await screen.findByText('This conversation is closed. Replying does not reopen it: set the status to reopen it.')).toBeTruthy();
  });

  it('edits the subject, refusing an empty one before asking the server', async () => {
    const { requests } = await open();
    fireEvent.click(screen.getByRole('button', { name: 'Edit subject' }));
    const box = screen.getByRole('textbox', { name: 'Subject' });

    fireEvent.change(box, { target: { value: '   ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save subject' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Enter a subject');
    expect(requests.some((r) => r.method === 'PUT')).toBe(false);

    fireEvent.change(box, { target: { value: 'Printer on fire (3rd floor)' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save subject' }));

    expect(await screen.findByRole('heading', { name: 'Printer on fire (3rd floor)' })).toBeTruthy();
    expect(requests.find((r) => r.method === 'PUT')?.body).toEqual({ subject: 'Printer on fire (3rd floor)' });
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Edit subject' }));

    fireEvent.click(screen.getByRole('button', { name: 'Edit subject' }));
    fireEvent.keyDown(screen.getByRole('textbox', { name: 'Subject' }), { key: 'Escape' });
    expect(screen.queryByRole('textbox', { name: 'Subject' })).toBeNull();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Edit subject' }));
  });

  it('shows the server’s reason when a change is refused', async () => {
    await open({ failPut: true });
    fireEvent.change(within(settings()).getByRole('combobox', { name: 'Priority' }), { target: { value: 'low' } });
    expect((await screen.findByRole('alert')).textContent).toBe("Couldn't save the change: subject must be 1 to 255 characters");
  });

  it('adds a tag', async () => {
    const { requests } = await open();
    fireEvent.change(screen.getByRole('textbox', { name: 'New tag' }), { target: { value: ' VIP ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add tag' }));

    expect(await within(screen.getByRole('list', { name: 'Tags' })).findByText('vip')).toBeTruthy();
    expect(requests.find((r) => r.method === 'POST')?.body).toEqual({ ids: [7], action: 'tag', tags: ['vip'] });
    expect(screen.getByRole<HTMLInputElement>('textbox', { name: 'New tag' }).value).toBe('');
  });

  it('lets the admin reply through the live connection', async () => {
    const { client, sockets } = await open();
    act(() => {
      client.start();
      sockets.latest().open();
      sockets.latest().receive({ type: 'joined', conversationId: 7, data: { lastMessageId: 1 } });
    });
    const box = screen.getByRole('textbox', { name: 'Message' });
    fireEvent.change(box, { target: { value: 'We are on our way' } });
    fireEvent.keyDown(box, { key: 'Enter' });

    expect(sockets.latest().framesOfType('message').map((f) => f.data.content)).toEqual(['We are on our way']);
    const items = within(screen.getByRole('log', { name: 'Messages' })).getAllByRole('listitem');
    expect(items.at(-1)?.textContent).toContain('You');
    client.stop();
  });

  it('goes back to the queue view it was opened from', async () => {
    const { api } = fakeServer({
      'GET /api/support-chat/admin/conversations': () => queuePage([summary({ id: 7, subject: 'Printer on fire' })]),
      'GET /api/support-chat/admin/admins': () => json({ admins: [ADA] }),
      'GET /api/support-chat/admin/stats': () => json(stats()),
      'GET /api/support-chat/conversations/7': () => json({ conversation: conversation({ id: 7, subject: 'Printer on fire' }), messages: [], hasMore: false }),
    });
    renderWithApp({
      path: '/admin/support?status=open&sort=waiting',
      routes: [
        { path: '/admin/support', element: <AdminSupportPage /> },
        { path: '/admin/support/:id', element: <AdminConversationPage /> },
      ],
      api,
      user: ADA,
    });
    fireEvent.click(await screen.findByRole('link', { name: 'Printer on fire' }));

    await screen.findByRole('heading', { name: 'Printer on fire' });
    expect(screen.getByRole('link', { name: 'Back to the queue' }).getAttribute('href')).toBe('/admin/support?status=open&sort=waiting');
  });
});
