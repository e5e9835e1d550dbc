import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { FeatureFlag } from '../../api/admin';
import { fakeServer, json, renderWithApp } from '../support/testUtils';
import { FeaturesPage } from './FeaturesPage';
import { ADA } from './testData';

afterEach(cleanup);

const routes = [{ path: '/admin/features', element: <FeaturesPage /> }];

function flags(): FeatureFlag[] {
  return [
    { key: 'support_chat', displayName: 'Support chat', description: 'Chat with the support team.', enabled: true, defaultEnabled: true, rolloutPercent: 100, roles: null },
    { key: 'file_uploads', displayName: 'File uploads', description: 'Attach files.', enabled: false, defaultEnabled: false, rolloutPercent: 100, roles: null },
  ];
}

function server(reply?: (body: unknown) => Response) {
  const current = flags();
  return fakeServer({
    'GET /api/admin/features': () => json({ flags: current }),
    'PUT /api/admin/features/file_uploads': async (request) => {
      const body = (await request.json()) as { enabled: boolean; rolloutPercent: number; roles: FeatureFlag['roles'] };
      if (reply) return reply(body);
      const flag = { ...current[1], ...body } as FeatureFlag;
      current[1] = flag;
      return json(flag);
    },
  });
}

const card = (name: string) => screen.getByRole('region', { name });

describe('FeaturesPage', () => {
  it('lists every flag with its description, switch, rollout and roles', async () => {
    const { api } = server();
    renderWithApp({ path: '/admin/features', routes, api, user: ADA });

    await screen.findByRole('region', { name: 'Support chat' });
    const chat = card('Support chat');
    expect(within(chat).getByText('Chat with the support team.')).toBeTruthy();
    expect(within(chat).getByRole<HTMLInputElement>('switch', { name: 'Enabled' }).checked).toBe(true);
    expect(within(chat).getByRole<HTMLInputElement>('spinbutton', { name: 'Rollout percent' }).value).toBe('100');
    expect(within(chat).getByRole<HTMLInputElement>('checkbox', { name: 'Users' }).checked).toBe(false);
    expect(within(chat).getByText('On for everyone.')).toBeTruthy();
    expect(within(card('File uploads')).getByRole<HTMLInputElement>('switch', { name: 'Enabled' }).checked).toBe(false);
    expect(within(chat).getByRole<HTMLButtonElement>('button', { name: 'Save' }).disabled).toBe(true);
  });

  it('saves a switched-on flag with its rollout and roles', async () => {
    const { api, requests } = server();
    renderWithApp({ path: '/admin/features', routes, api, user: ADA });
    await screen.findByRole('region', { name: 'File uploads' });
    const uploads = card('File uploads');

    fireEvent.click(within(uploads).getByRole('switch', { name: 'Enabled' }));
    fireEvent.change(within(uploads).getByRole('spinbutton', { name: 'Rollout percent' }), { target: { value: '25' } });
    fireEvent.click(within(uploads).getByRole('checkbox', { name: 'Users' }));
    expect(within(uploads).getByText('On for 25% of users (not admins).')).toBeTruthy();
    fireEvent.click(within(uploads).getByRole('button', { name: 'Save' }));

    expect(await within(uploads).findByText('Saved.')).toBeTruthy();
    expect(requests.find((r) => r.method === 'PUT')?.body).toEqual({ enabled: true, rolloutPercent: 25, roles: ['user'] });
    expect(within(uploads).getByRole<HTMLButtonElement>('button', { name: 'Save' }).disabled).toBe(true);
  });

  it('refuses a rollout outside 0–100 before asking the server', async () => {
    const { api, requests } = server();
    renderWithApp({ path: '/admin/features', routes, api, user: ADA });
    await screen.findByRole('region', { name: 'File uploads' });
    const uploads = card('File uploads');

    fireEvent.change(within(uploads).getByRole('spinbutton', { name: 'Rollout percent' }), { target: { value: '150' } });
    fireEvent.click(within(uploads).getByRole('button', { name: 'Save' }));

    expect(within(uploads).getByText('Rollout must be a whole number from 0 to 100.')).toBeTruthy();
    expect(within(uploads).getByRole('spinbutton', { name: 'Rollout percent' }).getAttribute('aria-invalid')).toBe('true');
    expect(requests.some((r) => r.method === 'PUT')).toBe(false);
  });

  it('shows the error the server answers, and keeps the edits', async () => {
    const { api } = server(() =>
      json({ error: { code: 'validation_failed', message: 'Invalid', fields: { roles: 'roles: unknown role "guest"' } } }, 400),
    );
    renderWithApp({ path: '/admin/features', routes, api, user: ADA });
    await screen.findByRole('region', { name: 'File uploads' });
    const uploads = card('File uploads');

    fireEvent.click(within(uploads).getByRole('switch', { name: 'Enabled' }));
    fireEvent.click(within(uploads).getByRole('button', { name: 'Save' }));

    const alert = await within(uploads).findByRole('alert');
    expect(alert.textContent).toBe('Couldn\'t save File uploads: roles: unknown role "guest"');
    expect(within(uploads).getByRole<HTMLInputElement>('switch', { name: 'Enabled' }).checked).toBe(true);
    expect(within(uploads).getByText('Unsaved changes')).toBeTruthy();
  });

  it('warns before support chat is turned off for admins, and discards edits', async () => {
    const { api } = server();
    renderWithApp({ path: '/admin/features', routes, api, user: ADA });
    await screen.findByRole('region', { name: 'Support chat' });
    const chat = card('Support chat');

    fireEvent.click(within(chat).getByRole('checkbox', { name: 'Users' }));
    expect(within(chat).getByText(/Admins lose the support queue/)).toBeTruthy();

    fireEvent.click(within(chat).getByRole('button', { name: 'Discard changes' }));
    await waitFor(() => { expect(within(chat).queryByText(/Admins lose the support queue/)).toBeNull(); });
    expect(within(chat).getByRole<HTMLInputElement>('checkbox', { name: 'Users' }).checked).toBe(false);
  });

  it('explains a failed load', async () => {
    const { api } = fakeServer({ 'GET /api/admin/features': () => json({ error: { code: 'forbidden', message: 'Admins only.' } }, 403) });
    renderWithApp({ path: '/admin/features', routes, api, user: ADA });
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain("Couldn't load the feature flags");
    expect(alert.textContent).toContain('Admins only.');
  });
});
