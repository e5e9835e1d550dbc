import type { APIRequestContext, APIResponse } from '@playwright/test';
import type { components } from './api-schema';

type Schemas = components['schemas'];
export type User = Schemas['User'];
export type AuthResponse = Schemas['AuthResponse'];
export type Conversation = Schemas['Conversation'];
export type ConversationDetails = Schemas['ConversationDetailsResponse'];
export type ConversationsResponse = Schemas['ConversationsResponse'];
export type CreatedConversation = Schemas['CreatedConversation'];
export type FeatureFlag = Schemas['FeatureFlag'];
export type FlagsResponse = Schemas['FlagsResponse'];
export type Message = Schemas['Message'];
export type ErrorResponse = Schemas['ErrorResponse'];
export type Priority = Schemas['Priority'];

export interface Account {
  email: string;
  password: string;
  name: string;
}

/** Fails with the answer's status and body when it is not the one expected. */
async function expectStatus(res: APIResponse, expected: number, what: string): Promise<void> {
  if (res.status() === expected) return;
  throw new Error(`${what}: expected HTTP ${expected}, got ${res.status()}: ${await res.text()}`);
}

/**
 * The REST API as one signed-in person (cookie session), with the CSRF header on writes.
 *
 * Built on a Playwright `APIRequestContext`: pass `context.request` to share cookies with a
 * browser context (so the browser is signed in too), or a standalone one for an API-only actor.
 * Bodies are typed from the OpenAPI contract (`web/openapi.json`, see `npm run gen`).
 */
export class ApiSession {
  readonly request: APIRequestContext;
  readonly user: User;
  private readonly csrfToken: string;

  private constructor(request: APIRequestContext, auth: AuthResponse) {
    this.request = request;
    this.user = auth.user;
    this.csrfToken = auth.csrfToken;
  }

  /** `POST /api/auth/register`: a new end user, signed in. */
  static async register(request: APIRequestContext, account: Account): Promise<ApiSession> {
    const res = await request.post('/api/auth/register', { data: account });
    await expectStatus(res, 201, `register ${account.email}`);
    return new ApiSession(request, (await res.json()) as AuthResponse);
  }

  /** `POST /api/auth/login`. */
  static async signIn(request: APIRequestContext, account: Pick<Account, 'email' | 'password'>): Promise<ApiSession> {
    const res = await request.post('/api/auth/login', { data: { email: account.email, password: account.password } });
    await expectStatus(res, 200, `sign in ${account.email}`);
    return new ApiSession(request, (await res.json()) as AuthResponse);
  }

  /** A request with this session's CSRF header (for writes); the raw answer, to check errors. */
  async send(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<APIResponse> {
    return this.request.fetch(path, {
      method,
      headers: method === 'GET' ? {} : { 'X-CSRF-Token': this.csrfToken },
      ...(body === undefined ? {} : { data: body }),
    });
  }

  /** A request that must answer `expected`; its JSON body. */
  async call<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, expected: number, body?: unknown): Promise<T> {
    const res = await this.send(method, path, body);
    await expectStatus(res, expected, `${method} ${path}`);
    return (await res.json()) as T;
  }

  // ---- the routes the tests use -----------------------------------------------------------------

  /** `GET /api/support-chat/conversations/{id}`: the conversation and its newest messages (up to 200). */
  async conversation(id: number): Promise<ConversationDetails> {
    return this.call<ConversationDetails>('GET', `/api/support-chat/conversations/${id}?limit=200`, 200);
  }

  /** `POST /api/support-chat/conversations`. */
  async openConversation(subject: string, initialMessage: string, priority: Priority = 'normal'): Promise<CreatedConversation> {
    return this.call<CreatedConversation>('POST', '/api/support-chat/conversations', 201, {
      subject,
      initialMessage,
      priority,
    });
  }

  /** `POST /api/support-chat/messages`. */
  async sendMessage(conversationId: number, content: string): Promise<Message> {
    return this.call<Message>('POST', '/api/support-chat/messages', 201, { conversationId, content });
  }

  /** `GET /api/admin/features` (admin): every flag with its settings. */
  async features(): Promise<FeatureFlag[]> {
    return (await this.call<FlagsResponse>('GET', '/api/admin/features', 200)).flags;
  }

  /** `PUT /api/admin/features/{key}` (admin). */
  async setFeature(key: string, enabled: boolean): Promise<FeatureFlag> {
    return this.call<FeatureFlag>('PUT', `/api/admin/features/${encodeURIComponent(key)}`, 200, { enabled });
  }
}

let accounts = 0;

/** A new end user's account details, unique within the run. */
export function newAccount(name: string): Account {
  accounts += 1;
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  return {
    name,
    email: `${slug}-${process.pid}-${accounts}@e2e.test`,
    password: `${slug}-password-${accounts}`,
  };
}
