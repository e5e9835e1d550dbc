import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeServer, json } from '../support/testUtils';
import { NotificationSettingsPage } from './NotificationSettingsPage';
import type { NotificationPreferences } from './preferences';
import { FakeNotification, renderWithNotifications } from './testHarness';

const routes = [{ path: '/settings/notifications', element: <NotificationSettingsPage /> }];

function server(initial: NotificationPreferences, onPut?: () => Response | Promise<Response>) {
  let saved = { ...initial };
  const fake = fakeServer({
    'GET /api/support-chat/notification-preferences': () => json(saved),
    'GET /api/support-chat/conversations': () => json({ conversations: [], pagination: { page: 1, pageSize: 20, total: 0, hasMore: false } }),
    'PUT /api/support-chat/notification-preferences': () => {
      if (onPut) return onPut();
      // The fake server has read the body already and recorded it.
      const body = fake.requests.at(-1)?.body as Partial<NotificationPreferences>;
      saved = { ...saved, ...body };
      return json(saved);
    },
  });
  return fake;
}

function switchNamed(name: string): HTMLInputElement {
  return screen.getByRole<HTMLInputElement>('switch', { name });
}

beforeEach(() => {
  FakeNotification.reset('default');
  vi.stubGlobal('Notification', FakeNotification);
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('NotificationSettingsPage', () => {
  it('shows the saved settings as labelled switches', async () => {
    const { api } = server({ browser: true, sound: false, emailUrgent: true });
    renderWithNotifications({ path: '/settings/notifications', routes, api });

    expect((await screen.findByRole<HTMLInputElement>('switch', { name: 'Browser notifications' })).checked).toBe(true);
    expect(switchNamed('Sound').checked).toBe(false);
    expect(switchNamed('Email me about urgent conversations').checked).toBe(true);
    // The page says plainly that email is not sent.
    expect(screen.getByText(/email isn't sent yet/)).toBeTruthy();
  });

  it('saves one switch at a time, showing the change before the server answers', async () => {
    let answer: (r: Response) => void = () => undefined;
    const { api, requests } = server({ browser: true, sound: true, emailUrgent: false }, () => new Promise<Response>((resolve) => (answer = resolve)));
    renderWithNotifications({ path: '/settings/notifications', routes, api });
    await screen.findByRole('switch', { name: 'Sound' });
    const sound = switchNamed('Sound');

    fireEvent.click(sound);
    await waitFor(() => {
      expect(requests.find((r) => r.method === 'PUT')?.body).toEqual({ sound: false });
    });
    // The server has not answered yet; the switch already shows the change.
    expect(switchNamed('Sound').checked).toBe(false);
    answer(json({ browser: true, sound: false, emailUrgent: false }));
    expect(await screen.findByText('Your settings are saved.')).toBeTruthy();
    expect(switchNamed('Sound').checked).toBe(false);
  });

  it('puts the switch back and explains when saving fails', async () => {
    const { api } = server({ browser: true, sound: true, emailUrgent: false }, () =>
      json({ error: { code: 'validation_failed', message: 'The request has invalid fields: emailUrgent: nope.', fields: { emailUrgent: 'nope' } } }, 400),
    );
    renderWithNotifications({ path: '/settings/notifications', routes, api });
    await screen.findByRole('switch', { name: 'Email me about urgent conversations' });
    const email = switchNamed('Email me about urgent conversations');

    fireEvent.click(email);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe("Couldn't save: The request has invalid fields: emailUrgent: nope.");
    expect(switchNamed('Email me about urgent conversations').checked).toBe(false);
    expect(screen.queryByText('Your settings are saved.')).toBeNull();
  });

  it('asks the browser for permission only when the button is clicked', async () => {
    const { api } = server({ browser: true, sound: true, emailUrgent: false });
    renderWithNotifications({ path: '/settings/notifications', routes, api });
    const allow = await screen.findByRole('button', { name: 'Allow browser notifications' });
    expect(FakeNotification.requests).toBe(0);

    fireEvent.click(allow);
    expect(await screen.findByText('This browser is allowed to show notifications.')).toBeTruthy();
    expect(FakeNotification.requests).toBe(1);
    expect(screen.queryByRole('button', { name: 'Allow browser notifications' })).toBeNull();
  });

  it('explains blocked notifications and a browser without them', async () => {
    FakeNotification.reset('denied');
    const { api } = server({ browser: true, sound: true, emailUrgent: false });
    renderWithNotifications({ path: '/settings/notifications', routes, api });
    expect(await screen.findByText(/Notifications are blocked for this site/)).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Allow browser notifications' })).toBeNull();
    cleanup();

    vi.unstubAllGlobals();
    const original = Object.getOwnPropertyDescriptor(window, 'Notification');
    Reflect.deleteProperty(window, 'Notification');
    try {
      const again = server({ browser: true, sound: true, emailUrgent: false });
      renderWithNotifications({ path: '/settings/notifications', routes, api: again.api });
      expect(await screen.findByText(/This browser can't show notifications/)).toBeTruthy();
    } finally {
      if (original) Object.defineProperty(window, 'Notification', original);
    }
  });

  it('explains a failure to load the settings', async () => {
    const { api } = fakeServer({
      'GET /api/support-chat/notification-preferences': () => json({ error: { code: 'unavailable', message: 'Down' } }, 503),
      'GET /api/support-chat/conversations': () => json({ conversations: [], pagination: { page: 1, pageSize: 20, total: 0, hasMore: false } }),
    });
    renderWithNotifications({ path: '/settings/notifications', routes, api });
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain("Couldn't load your notification settings");
    expect(screen.getByRole('button', { name: 'Try again' })).toBeTruthy();
  });
});
