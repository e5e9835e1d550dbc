import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ANN, fakeServer, json, renderWithApp } from '../support/testUtils';
import { adminRoutes } from './routes';
import { ADA, stats } from './testData';

afterEach(cleanup);
// The pages are lazy-loaded; load their code once up front so no test waits on the transform.
beforeAll(async () => {
  await Promise.all([import('./AdminDashboardPage'), import('./AdminSupportPage'), import('./FeaturesPage')]);
});

const routes = [adminRoutes, { path: '/', element: <p>Home page</p> }];

describe('the admin pages', () => {
  it('are not available to someone who is not an admin', async () => {
    const { api, requests } = fakeServer({});
    renderWithApp({ path: '/admin/support', routes, api, user: ANN });

    expect(await screen.findByRole('heading', { name: "This page isn't available" })).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Go to the home page' }).getAttribute('href')).toBe('/');
    expect(requests).toEqual([]);
  });

  it('show the queue figures on the dashboard, with urgent alerts and links onward', async () => {
    const { api } = fakeServer({ 'GET /api/support-chat/admin/stats': () => json(stats({ urgentOpen: 2, unassigned: 3 })) });
    renderWithApp({ path: '/admin', routes, api, user: ADA });

    const card = await screen.findByRole('region', { name: 'Support queue' });
    expect(await within(card).findByText('2 urgent conversations')).toBeTruthy();
    expect(within(card).getByRole('link', { name: 'Show urgent conversations' }).getAttribute('href')).toBe('/admin/support?priority=urgent');
    expect(within(card).getByRole('link', { name: 'Show unassigned conversations' }).getAttribute('href')).toBe('/admin/support?assignee=unassigned');
    expect(within(card).getByRole('link', { name: 'Open the support queue' }).getAttribute('href')).toBe('/admin/support');
    const figure = (term: string) => within(card).getByText(term).nextElementSibling?.textContent;
    expect(figure('Open')).toBe('2');
    expect(figure('In progress')).toBe('1');
    expect(figure('Unassigned')).toBe('3');
    expect(figure('Average first response')).toBe('4 min');
    expect(figure('Average resolution')).toBe('—');
    expect(screen.getByRole('link', { name: 'Manage feature flags' }).getAttribute('href')).toBe('/admin/features');
  });

  it('keep the dashboard figures live: a new conversation refreshes them', async () => {
    let open = 2;
    const { api, requests } = fakeServer({ 'GET /api/support-chat/admin/stats': () => json(stats({ byStatus: { open, in_progress: 0, closed: 0, transferred: 0 } })) });
    const { client, sockets, cacheSync } = renderWithApp({ path: '/admin', routes, api, user: ADA, live: true });
    const card = await screen.findByRole('region', { name: 'Support queue' });
    await within(card).findByText('Messages today');
    expect(within(card).getByText('Open').nextElementSibling?.textContent).toBe('2');
    act(() => {
      client.start();
      sockets.latest().open();
    });
    // Connecting refreshes once; after that only events do.
    await waitFor(() => { expect(requests).toHaveLength(2); });

    open = 3;
    act(() => {
      sockets.latest().receive({ type: 'conversation_updated', conversationId: 4, data: { status: 'open' } });
    });

    await waitFor(() => { expect(within(card).getByText('Open').nextElementSibling?.textContent).toBe('3'); }, { timeout: 3000 });
    expect(requests).toHaveLength(3);
    cacheSync?.dispose();
    client.stop();
  });

  it('say when the queue figures cannot be loaded, and try again', async () => {
    let fail = true;
    const { api } = fakeServer({
      'GET /api/support-chat/admin/stats': () => (fail ? json({ error: { code: 'unavailable', message: 'down' } }, 503) : json(stats())),
    });
    renderWithApp({ path: '/admin', routes, api, user: ADA });

    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Something went wrong on our side while loading the queue figures.');
    fail = false;
    fireEvent.click(within(alert).getByRole('button', { name: 'Try again' }));
    expect(await screen.findByText('Messages today')).toBeTruthy();
  });

  it('hide the queue when support chat is off for the admin, but keep the feature flags', async () => {
    const { api } = fakeServer({});
    renderWithApp({ path: '/admin', routes, api, user: ADA, features: { support_chat: false } });

    const card = await screen.findByRole('region', { name: 'Support queue' });
    expect(card.textContent).toContain('Support chat is turned off for your account');
    expect(screen.getByRole('link', { name: 'Manage feature flags' })).toBeTruthy();
  });
});
