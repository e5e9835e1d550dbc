import { describe, expect, it } from 'vitest';
import { CSRF_HEADER, createApi } from '../../api/client';
import { fetchMe, logout } from './authApi';

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });
}

const user = { id: 1, email: 'ana@example.com', name: 'Ana', role: 'user' as const };

function apiAnswering(reply: (request: Request) => Response) {
  const requests: Request[] = [];
  const api = createApi({
    baseUrl: 'http://app.test',
    fetch: (request: Request) => {
      requests.push(request);
      return Promise.resolve(reply(request));
    },
  });
  return { api, requests };
}

describe('fetchMe', () => {
  it('asks the session endpoint, so a signed-out visit is an ordinary answer', async () => {
    const { api, requests } = apiAnswering(() => json(200, { user: null, csrfToken: null, features: {} }));
    api.csrf.set('stale');
    await expect(fetchMe(api)).resolves.toBeNull();
    expect(new URL(requests[0]?.url ?? '').pathname).toBe('/api/auth/session');
    // The stale token is forgotten: the next write carries none.
    expect(api.csrf.get()).toBeNull();
  });

  it('returns the signed-in user and keeps their CSRF token for writes', async () => {
    const { api, requests } = apiAnswering((request) =>
      request.method === 'GET'
        ? json(200, { user, csrfToken: 'tok', features: { support_chat: true } })
        : new Response(null, { status: 204 }),
    );
    await expect(fetchMe(api)).resolves.toEqual({
      user,
      csrfToken: 'tok',
      features: { support_chat: true },
    });
    await logout(api);
    expect(requests[1]?.headers.get(CSRF_HEADER)).toBe('tok');
  });

  it('reports a server failure instead of treating it as signed out', async () => {
    const { api } = apiAnswering(() =>
      json(503, { error: { code: 'unavailable', message: 'The database is unavailable.' } }),
    );
    await expect(fetchMe(api)).rejects.toMatchObject({ status: 503 });
  });
});
