import { isApiError, unwrap, type Api, type AuthResponse, type LoginRequest, type MeResponse, type RegisterRequest } from '../../api/client';

export const meQueryKey = ['auth', 'me'] as const;

/**
 * The current session, or null when signed out. Keeps the client's CSRF token in step. Asks
 * `/api/auth/session`, which answers a signed-out browser with 200 and `user: null` (so a visit
 * to the login page logs no failed request).
 */
export async function fetchMe(api: Api): Promise<MeResponse | null> {
  const session = await unwrap(api.client.GET('/api/auth/session'));
  if (session.user === null || session.user === undefined) {
    api.csrf.set(null);
    return null;
  }
  const csrfToken = session.csrfToken ?? '';
  api.csrf.set(csrfToken);
  return { user: session.user, csrfToken, features: session.features };
}

export async function login(api: Api, body: LoginRequest): Promise<AuthResponse> {
  const session = await unwrap(api.client.POST('/api/auth/login', { body }));
  api.csrf.set(session.csrfToken);
  return session;
}

export async function register(api: Api, body: RegisterRequest): Promise<AuthResponse> {
  const session = await unwrap(api.client.POST('/api/auth/register', { body }));
  api.csrf.set(session.csrfToken);
  return session;
}

/** Ends the session; an already-ended session (401) counts as signed out. */
export async function logout(api: Api): Promise<void> {
  try {
    await unwrap(api.client.POST('/api/auth/logout'));
  } catch (error) {
    if (!isApiError(error, 401)) throw error;
  }
  api.csrf.set(null);
}
