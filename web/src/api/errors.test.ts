import { describe, expect, it } from 'vitest';
import { ApiError, parseApiError } from './errors';

describe('parseApiError', () => {
  it('reads code, message and field messages from the envelope', () => {
    const error = parseApiError(400, {
      error: {
        code: 'validation_failed',
        message: 'Some fields are invalid',
        fields: { email: 'Enter a valid email address', name: 'Enter your name' },
      },
    });
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      status: 400,
      code: 'validation_failed',
      message: 'Some fields are invalid',
      fields: { email: 'Enter a valid email address', name: 'Enter your name' },
    });
  });

  it('treats null fields as no fields', () => {
    const error = parseApiError(401, {
      error: { code: 'unauthenticated', message: 'Sign in first', fields: null },
    });
    expect(error.fields).toEqual({});
    expect(error.code).toBe('unauthenticated');
  });

  it('drops field entries that are not strings', () => {
    const error = parseApiError(400, {
      error: { code: 'validation_failed', message: 'Bad', fields: { email: 3, name: 'Too long' } },
    });
    expect(error.fields).toEqual({ name: 'Too long' });
  });

  it('gives a server-side message for a 5xx body that is not the envelope', () => {
    const error = parseApiError(502, '<html>Bad Gateway</html>');
    expect(error).toMatchObject({ status: 502, code: 'internal' });
    expect(error.message).toMatch(/on our side/);
  });

  it('explains a 429 without an envelope', () => {
    const error = parseApiError(429, undefined);
    expect(error).toMatchObject({ status: 429, code: 'http_429' });
    expect(error.message).toMatch(/Too many attempts/);
  });

  it('falls back when the envelope has an empty message', () => {
    const error = parseApiError(403, { error: { code: 'csrf_failed', message: '  ' } });
    expect(error.code).toBe('csrf_failed');
    expect(error.message).toBe('The request failed (HTTP 403).');
  });
});
