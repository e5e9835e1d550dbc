import { cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ConversationsPage } from './ConversationsPage';
import { fakeServer, json, renderWithApp, summary } from './testUtils';

afterEach(cleanup);

function page(conversations: ReturnType<typeof summary>[], hasMore = false, pageNo = 1) {
  return json({ conversations, pagination: { page: pageNo, pageSize: 20, total: conversations.length, hasMore } });
}

const routes = [{ path: '/support', element: <ConversationsPage /> }];

describe('ConversationsPage', () => {
  it('lists conversations with their last message, status and unread count', async () => {
    const { api } = fakeServer({
      'GET /api/support-chat/conversations': () =>
        page([
          summary({ id: 1, subject: 'Refund for order 12', lastMessage: 'We sent it today', unreadCount: 2 }),
          summary({ id: 2, subject: 'Login loop', lastMessage: 'Thanks!', status: 'closed' }),
        ]),
    });
    renderWithApp({ path: '/support', routes, api });

    const refund = await screen.findByRole('link', { name: /Refund for order 12/ });
    expect(refund.getAttribute('href')).toBe('/support/1');
    expect(within(refund).getByText('We sent it today')).toBeTruthy();
    expect(within(refund).getByText(/2 unread messages/)).toBeTruthy();
    const login = screen.getByRole('link', { name: /Login loop/ });
    expect(within(login).getByText('Closed')).toBeTruthy();
    expect(within(login).queryByText(/unread/)).toBeNull();
  });

  it('invites to start a conversation when there is none', async () => {
    const { api } = fakeServer({ 'GET /api/support-chat/conversations': () => page([]) });
    renderWithApp({ path: '/support', routes, api });

    expect(await screen.findByRole('heading', { name: 'No conversations yet' })).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Start a conversation' }).getAttribute('href')).toBe('/support/new');
  });

  it('asks the server for the chosen status and marks the filter pressed', async () => {
    const { api, requests } = fakeServer({
      'GET /api/support-chat/conversations': (_, url) =>
        url.searchParams.get('status') === 'closed' ? page([summary({ subject: 'Old one', status: 'closed' })]) : page([]),
    });
    const { router } = renderWithApp({ path: '/support', routes, api });
    await screen.findByText('No conversations yet');

    fireEvent.click(screen.getByRole('button', { name: 'Closed' }));

    expect(await screen.findByText('Old one')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Closed' }).getAttribute('aria-pressed')).toBe('true');
    expect(requests.at(-1)?.url.searchParams.get('status')).toBe('closed');
    expect(router.state.location.search).toBe('?status=closed');
  });

  it('explains a failure and loads again on Try again', async () => {
    let fail = true;
    const { api } = fakeServer({
      'GET /api/support-chat/conversations': () =>
        fail ? json({ error: { code: 'unavailable', message: 'Database down' } }, 503) : page([summary({ subject: 'Back again' })]),
    });
    renderWithApp({ path: '/support', routes, api });

    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Something went wrong on our side while loading your conversations.');
    fail = false;
    fireEvent.click(within(alert).getByRole('button', { name: 'Try again' }));
    expect(await screen.findByText('Back again')).toBeTruthy();
  });

  it('loads the next page on Show more', async () => {
    const { api } = fakeServer({
      'GET /api/support-chat/conversations': (_, url) =>
        url.searchParams.get('page') === '2'
          ? page([summary({ id: 30, subject: 'From page two' })], false, 2)
          : page([summary({ id: 1, subject: 'From page one' })], true, 1),
    });
    renderWithApp({ path: '/support', routes, api });
    await screen.findByText('From page one');

    fireEvent.click(screen.getByRole('button', { name: 'Show more' }));

    expect(await screen.findByText('From page two')).toBeTruthy();
    expect(screen.getByText('From page one')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Show more' })).toBeNull();
  });
});
