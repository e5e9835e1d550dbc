import createClient, { type Client, type Middleware } from 'openapi-fetch';
import { ApiError, networkError, parseApiError } from './errors';
import type { components, paths } from './schema';

export { ApiError } from './errors';

type Schemas = components['schemas'];
export type User = Schemas['User'];
export type Role = Schemas['Role'];
export type AuthResponse = Schemas['AuthResponse'];
export type MeResponse = Schemas['MeResponse'];
export type LoginRequest = Schemas['LoginRequest'];
export type RegisterRequest = Schemas['RegisterRequest'];
export type ErrorResponse = Schemas['ErrorResponse'];

export const CSRF_HEADER = 'X-CSRF-Token';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Holds the session's CSRF token; it comes from the login, register and me responses. */
export interface CsrfStore {
  get(): string | null;
  set(token: string | null): void;
}

export function createCsrfStore(): CsrfStore {
  let token: string | null = null;
  return {
    get: () => token,
    set: (next) => {
      token = next;
    },
  };
}

/** Adds `X-CSRF-Token` to every state-changing request once a token is known. */
export function csrfMiddleware(csrf: CsrfStore): Middleware {
  return {
    onRequest({ request }) {
      const token = csrf.get();
      if (token === null || SAFE_METHODS.has(request.method.toUpperCase())) return undefined;
      request.headers.set(CSRF_HEADER, token);
      return request;
    },
  };
}

export interface ApiOptions {
  /** Defaults to the page's own origin. */
  baseUrl?: string;
  /** For tests; defaults to the global `fetch`. */
  fetch?: (request: Request) => Promise<Response>;
}

export interface Api {
  client: Client<paths>;
  csrf: CsrfStore;
}

export function createApi(options: ApiOptions = {}): Api {
  const csrf = createCsrfStore();
  const client = createClient<paths>({
    baseUrl: options.baseUrl ?? '',
    credentials: 'same-origin',
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  client.use(csrfMiddleware(csrf));
  return { client, csrf };
}

/** The app's one API client, talking to the server that served the page. */
export const api = createApi();

interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/**
 * Awaits an openapi-fetch call and returns its data, or throws `ApiError` for an error status
 * and for a request that never reached the server.
 */
export async function unwrap<T>(call: Promise<FetchResult<T>>): Promise<T> {
  let result: FetchResult<T>;
  try {
    result = await call;
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === 'AbortError') throw cause;
    throw networkError();
  }
  if (!result.response.ok) throw parseApiError(result.response.status, result.error);
  return result.data as T;
}

export function isApiError(value: unknown, status?: number): value is ApiError {
  return value instanceof ApiError && (status === undefined || value.status === status);
}
