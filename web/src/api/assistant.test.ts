import { describe, expect, it } from 'vitest';
import { answer, done, sse, sseResponse, turn } from '../features/assistant/testData';
import { askAssistant, parseAnswerEvent, RateLimitedError, retryAfterSeconds, type AnswerEvent } from './assistant';
import { CSRF_HEADER, createApi } from './client';
import { ApiError } from './errors';

function fakeApi(reply: (request: Request) => Response) {
  const requests: Request[] = [];
  const api = createApi({
    baseUrl: 'http://app.test',
    fetch: (request) => {
      requests.push(request);
      return Promise.resolve(reply(request));
    },
  });
  api.csrf.set('token-1');
  return { api, requests };
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });
}

describe('askAssistant', () => {
  it('posts the question with the CSRF header and hands over each streamed event in order', async () => {
    const q = turn({ id: 10, content: 'How do I reset my password?' });
    const a = answer({ id: 11, content: 'Use the link.' });
    const { api, requests } = fakeApi(() =>
      sseResponse([sse('question', q), sse('delta', { text: 'Use the ' }) + sse('delta', { text: 'link.' }), sse('done', done(a))]),
    );
    const events: AnswerEvent[] = [];
    await askAssistant(api, 4, 'How do I reset my password?', (e) => events.push(e));

    const request = requests[0];
    expect(request?.method).toBe('POST');
    expect(new URL(request?.url ?? '').pathname).toBe('/api/assistant/sessions/4/messages');
    expect(request?.headers.get(CSRF_HEADER)).toBe('token-1');
    expect(await request?.json()).toEqual({ content: 'How do I reset my password?' });
    expect(events).toEqual([
      { type: 'question', turn: q },
      { type: 'delta', text: 'Use the ' },
      { type: 'delta', text: 'link.' },
      { type: 'done', done: done(a) },
    ]);
  });

  it('passes an error event on as an event', async () => {
    const { api } = fakeApi(() => sseResponse([sse('question', turn({ id: 1 })), sse('error', { code: 'internal', message: 'Storage failed.' })]));
    const events: AnswerEvent[] = [];
    await askAssistant(api, 4, 'hi', (e) => events.push(e));
    expect(events.at(-1)).toEqual({ type: 'error', code: 'internal', message: 'Storage failed.' });
  });

  it('rejects a refused question with the server error, and 429 with the wait from Retry-After', async () => {
    const invalid = fakeApi(() =>
      json(400, { error: { code: 'validation_failed', message: 'Invalid', fields: { content: 'content must not be empty' } } }),
    );
    const error: unknown = await askAssistant(invalid.api, 4, ' ', () => undefined).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).fields.content).toBe('content must not be empty');

    const limited = fakeApi(() => json(429, { error: { code: 'rate_limited', message: 'Slow down' } }, { 'Retry-After': '12' }));
    const refused: unknown = await askAssistant(limited.api, 4, 'hi', () => undefined).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RateLimitedError);
    expect((refused as RateLimitedError).retryAfter).toBe(12);
  });

  it('rejects with stream_broken when the connection breaks mid-answer, after the events that arrived', async () => {
    const { api } = fakeApi(() => sseResponse([sse('question', turn({ id: 1 })), sse('delta', { text: 'Half' })], { breakAfter: true }));
    const events: AnswerEvent[] = [];
    const error: unknown = await askAssistant(api, 4, 'hi', (e) => events.push(e)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe('stream_broken');
    expect(events.map((e) => e.type)).toEqual(['question', 'delta']);
  });

  it('rejects with a network error when the server cannot be reached', async () => {
    const api = createApi({ baseUrl: 'http://app.test', fetch: () => Promise.reject(new TypeError('Failed to fetch')) });
    const error: unknown = await askAssistant(api, 4, 'hi', () => undefined).catch((e: unknown) => e);
    expect((error as ApiError).code).toBe('network_error');
  });
});

describe('parseAnswerEvent', () => {
  it('ignores unknown events and malformed bodies rather than failing', () => {
    expect(parseAnswerEvent({ event: 'ping', data: '{}' })).toBeNull();
    expect(parseAnswerEvent({ event: 'delta', data: 'not json' })).toBeNull();
    expect(parseAnswerEvent({ event: 'delta', data: '{"txt":"x"}' })).toBeNull();
    expect(parseAnswerEvent({ event: 'done', data: '{"turn":{}}' })).toBeNull();
  });

  it('reads a reset event, with a reason even when the server sent none', () => {
    expect(parseAnswerEvent({ event: 'reset', data: '{"reason":"The model stopped."}' })).toEqual({
      type: 'reset',
      reason: 'The model stopped.',
    });
    expect(parseAnswerEvent({ event: 'reset', data: '{}' })).toMatchObject({ type: 'reset' });
  });

  it('gives an error event a message even when the server sent none', () => {
    expect(parseAnswerEvent({ event: 'error', data: '{}' })).toEqual({
      type: 'error',
      code: 'internal',
      message: 'The assistant could not answer.',
    });
  });
});

describe('retryAfterSeconds', () => {
  it('reads seconds and HTTP dates', () => {
    expect(retryAfterSeconds('30')).toBe(30);
    expect(retryAfterSeconds(null)).toBeNull();
    expect(retryAfterSeconds('soon')).toBeNull();
    const now = Date.parse('2026-11-24T10:00:00Z');
    expect(retryAfterSeconds('Tue, 24 Nov 2026 10:00:05 GMT', now)).toBe(5);
  });
});
