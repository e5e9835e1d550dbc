/** A failed API call, parsed from the server's error envelope `{error: {code, message, fields?}}`. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  /** HTTP status; 0 when the server could not be reached at all. */
  readonly status: number;
  /** The envelope's snake_case code, e.g. `validation_failed`, or a client-made one. */
  readonly code: string;
  /** Per-field messages for validation errors, keyed by the request's field names. */
  readonly fields: Readonly<Record<string, string>>;

  constructor(status: number, code: string, message: string, fields: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.fields = fields;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fallbackMessage(status: number): string {
  if (status === 429) return 'Too many attempts. Please wait a moment and try again.';
  if (status >= 500) return 'Something went wrong on our side. Please try again.';
  return `The request failed (HTTP ${status}).`;
}

/**
 * Turns an error response body into an `ApiError`. Accepts anything: a body that is not the
 * envelope (an HTML page from a proxy, plain text, nothing) still gives a usable error.
 */
export function parseApiError(status: number, body: unknown): ApiError {
  const envelope = isRecord(body) ? body.error : undefined;
  if (!isRecord(envelope)) {
    return new ApiError(status, status >= 500 ? 'internal' : `http_${status}`, fallbackMessage(status));
  }
  const code = typeof envelope.code === 'string' && envelope.code !== '' ? envelope.code : `http_${status}`;
  const message =
    typeof envelope.message === 'string' && envelope.message.trim() !== ''
      ? envelope.message
      : fallbackMessage(status);
  const fields: Record<string, string> = {};
  if (isRecord(envelope.fields)) {
    for (const [name, text] of Object.entries(envelope.fields)) {
      if (typeof text === 'string' && text !== '') fields[name] = text;
    }
  }
  return new ApiError(status, code, message, fields);
}

/** The error for a request that never got a response (offline, server down, DNS, CORS). */
export function networkError(): ApiError {
  return new ApiError(0, 'network_error', "Can't reach the server. Check your connection and try again.");
}
