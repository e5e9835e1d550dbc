import { describe, expect, it } from 'vitest';
import { ApiError } from './errors';
import { CSRF_HEADER, createApi, unwrap } from './client';

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });
}

/** A fake server that records every request it gets and answers with `reply`. */
function fakeServer(reply: (request: Request) => Response) {
  const requests: Request[] = [];
  const fetch = (request: Request) => {
    requests.push(request);
    return Promise.resolve(reply(request));
  };
  return { requests, api: createApi({ baseUrl: 'http://app.test', fetch }) };
}

const user = { id: 1, email: 'ana@example.com', name: 'Ana', role: 'user' as const };

describe('api client', () => {
  it('sends no CSRF header before a token is known', async () => {
    const { api, requests } = fakeServer(() => json(200, { user, csrfToken: 't1' }));
    await unwrap(api.client.POST('/api/auth/login', { body: { email: 'a@b.c', password: 'pw' } }));
    expect(requests[0]?.headers.get(CSRF_HEADER)).toBeNull();
  });

  it('adds the CSRF header to state-changing requests once the token is known', async () => {
    const { api, requests } = fakeServer((request) =>
      request.method === 'GET'
        ? json(200, { user, csrfToken: 't1', features: {} })
        : new Response(null, { status: 204 }),
    );
    api.csrf.set('t1');
    await unwrap(api.client.GET('/api/auth/me'));
    await unwrap(api.client.POST('/api/auth/logout'));
    expect(requests.map((r) => [r.method, r.headers.get(CSRF_HEADER)])).toEqual([
      ['GET', null],
      ['POST', 't1'],
    ]);
    expect(requests[1]?.credentials).toBe('same-origin');
  });

  it('stops sending the header after the token is cleared', async () => {
    const { api, requests } = fakeServer(() => new Response(null, { status: 204 }));
    api.csrf.set('t1');
    api.csrf.set(null);
    await unwrap(api.client.POST('/api/auth/logout'));
    expect(requests[0]?.headers.get(CSRF_HEADER)).toBeNull();
  });

  it('turns an error envelope into an ApiError', async () => {
    const { api } = fakeServer(() =>
      json(409, { error: { code: 'conflict', message: 'Email already registered' } }),
    );
    const call = unwrap(
      api.client.POST('/api/auth/register', {
        body: { email: 'ana@example.com', password: 'long enough', name: 'Ana' },
      }),
    );
    await expect(call).rejects.toMatchObject({
      status: 409,
      code: 'conflict',
      message: 'Email already registered',
    });
  });

  it('reports an unreachable server as a network error', async () => {
    const api = createApi({
      baseUrl: 'http://app.test',
      fetch: () => Promise.reject(new TypeError('Failed to fetch')),
    });
    const error: unknown = await unwrap(api.client.GET('/api/auth/me')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 0, code: 'network_error' });
  });
});
