import { networkError, parseApiError, ApiError } from './errors';
import { unwrap, type Api } from './client';
import { readSseStream, type SseEvent } from './sse';
import type { components } from './schema';

type Schemas = components['schemas'];
export type AssistantSession = Schemas['AssistantSession'];
export type AssistantSessionDetails = Schemas['AssistantSessionResponse'];
export type AssistantTurn = Schemas['AssistantTurn'];
export type AnsweredBy = Schemas['AnsweredBy'];
export type SourceRef = Schemas['SourceRef'];
export type Decision = Schemas['Decision'];
export type HandoffResponse = Schemas['HandoffResponse'];
/** The hand-off context as stored: the plan's context plus the model's summary, when one wrote it. */
export type HandoffContext = Schemas['StoredHandoffContext'];
export type ChatTurn = Schemas['ChatTurn'];
export type Category = Schemas['Category'];
export type Urgency = Schemas['Urgency'];
export type ReasonCode = Schemas['ReasonCode'];
export type Reason = Schemas['Reason'];

/**
 * The end of a streamed answer (`done`): the stored answer, the hand-off decision on the whole
 * chat, and whether a hand-off is possible for this person now (the `ai_handoff` flag).
 */
export interface AnswerDone {
  turn: AssistantTurn;
  decision: Decision;
  handoffAvailable: boolean;
}

/** The events of `POST /api/assistant/sessions/{id}/messages`, parsed. */
export type AnswerEvent =
  | { type: 'question'; turn: AssistantTurn }
  | { type: 'delta'; text: string }
  /** The AI model failed mid-answer: forget the text so far; the built-in answer follows. */
  | { type: 'reset'; reason: string }
  | { type: 'done'; done: AnswerDone }
  | { type: 'error'; code: string; message: string };

export async function fetchAssistantSessions(api: Api, signal?: AbortSignal): Promise<AssistantSession[]> {
  const { sessions } = await unwrap(api.client.GET('/api/assistant/sessions', signal ? { signal } : {}));
  return sessions;
}

export function fetchAssistantSession(api: Api, id: number, signal?: AbortSignal): Promise<AssistantSessionDetails> {
  return unwrap(
    api.client.GET('/api/assistant/sessions/{id}', { params: { path: { id } }, ...(signal ? { signal } : {}) }),
  );
}

export function createAssistantSession(api: Api): Promise<AssistantSession> {
  return unwrap(api.client.POST('/api/assistant/sessions', { body: {} }));
}

/** Hands the chat to a person: the `ai_handoff` conversation (the same one when asked again). */
export function handOffToHuman(api: Api, sessionId: number): Promise<HandoffResponse> {
  return unwrap(api.client.POST('/api/assistant/sessions/{id}/handoff', { params: { path: { id: sessionId } } }));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isTurn(value: unknown): value is AssistantTurn {
  return (
    isRecord(value) &&
    typeof value.id === 'number' &&
    (value.role === 'user' || value.role === 'assistant') &&
    typeof value.content === 'string' &&
    Array.isArray(value.sources) &&
    typeof value.createdAt === 'string'
  );
}

function isDecision(value: unknown): value is Decision {
  return isRecord(value) && typeof value.handoff === 'boolean' && Array.isArray(value.reasons);
}

/**
 * One server-sent event of an answer as a typed event; `null` for events this client does not
 * know (ignored) and for malformed ones (the stream then ends without `done`, which the caller
 * reports as a failure).
 */
export function parseAnswerEvent({ event, data }: SseEvent): AnswerEvent | null {
  let body: unknown;
  try {
    body = JSON.parse(data);
  } catch {
    return null;
  }
  switch (event) {
    case 'question':
      return isTurn(body) ? { type: 'question', turn: body } : null;
    case 'delta':
      return isRecord(body) && typeof body.text === 'string' ? { type: 'delta', text: body.text } : null;
    case 'reset':
      return {
        type: 'reset',
        reason:
          isRecord(body) && typeof body.reason === 'string' && body.reason.trim() !== ''
            ? body.reason
            : 'The AI model stopped mid-answer; here is the answer from the help articles instead.',
      };
    case 'done':
      if (isRecord(body) && isTurn(body.turn) && isDecision(body.decision)) {
        return {
          type: 'done',
          done: { turn: body.turn, decision: body.decision, handoffAvailable: body.handoffAvailable === true },
        };
      }
      return null;
    case 'error': {
      const code = isRecord(body) && typeof body.code === 'string' ? body.code : 'internal';
      const message =
        isRecord(body) && typeof body.message === 'string' && body.message.trim() !== ''
          ? body.message
          : 'The assistant could not answer.';
      return { type: 'error', code, message };
    }
    default:
      return null;
  }
}

/** Seconds from a `Retry-After` header (seconds or an HTTP date), or null. */
export function retryAfterSeconds(header: string | null, now: number = Date.now()): number | null {
  if (header === null || header.trim() === '') return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - now) / 1000));
}

/** A refused question (HTTP 429) with how long to wait, when the server said. */
export class RateLimitedError extends ApiError {
  readonly retryAfter: number | null;

  constructor(error: ApiError, retryAfter: number | null) {
    super(error.status, error.code, error.message, { ...error.fields });
    this.retryAfter = retryAfter;
  }
}

/**
 * Asks the assistant and reads the streamed answer (`fetch` with a stream reader: an
 * `EventSource` cannot POST). Errors before the stream starts reject with `ApiError` (400, 404,
 * 429 as `RateLimitedError`); after that, every event goes to `onEvent`, `error` events included.
 * Resolves when the server closes the stream; rejects when the connection breaks mid-way.
 */
export async function askAssistant(
  api: Api,
  sessionId: number,
  content: string,
  onEvent: (event: AnswerEvent) => void,
  signal?: AbortSignal,
): Promise<void> {
  let result;
  try {
    result = await api.client.POST('/api/assistant/sessions/{id}/messages', {
      params: { path: { id: sessionId } },
      body: { content },
      parseAs: 'stream',
      headers: { Accept: 'text/event-stream' },
      ...(signal ? { signal } : {}),
    });
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === 'AbortError') throw cause;
    throw networkError();
  }
  const { response } = result;
  if (!response.ok) {
    const error = parseApiError(response.status, result.error);
    if (response.status === 429) throw new RateLimitedError(error, retryAfterSeconds(response.headers.get('Retry-After')));
    throw error;
  }
  const body = result.data;
  if (body === null || body === undefined) throw networkError();
  try {
    await readSseStream(body, (raw) => {
      const event = parseAnswerEvent(raw);
      if (event !== null) onEvent(event);
    });
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === 'AbortError') throw cause;
    throw new ApiError(0, 'stream_broken', 'The connection broke while the answer was arriving.');
  }
}
