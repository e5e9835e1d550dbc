import { RateLimitedError } from '../../api/assistant';
import { isApiError } from '../../api/client';

/** Why a question got no answer, in a sentence for the person who asked. */
export function askErrorText(error: unknown): string {
  if (error instanceof RateLimitedError) {
    const wait = error.retryAfter;
    if (wait === null || wait <= 1) return 'You are asking too quickly. Wait a moment, then try again.';
    return `You are asking too quickly. Try again in ${wait} seconds.`;
  }
  if (isApiError(error)) {
    if (error.code === 'stream_broken') return 'The connection broke while the answer was arriving.';
    if (error.status === 0) return "Can't reach the server. Check your connection and try again.";
    if (error.status === 404) return 'This chat no longer exists. Start a new chat.';
    const content = error.fields.content;
    if (content !== undefined) return content;
    if (error.status >= 500) return 'Something went wrong on our side. Try again.';
    return error.message;
  }
  return 'Something went wrong. Try again.';
}

/** Why the hand-off failed (when it did not simply lead to a new support conversation). */
export function handoffErrorText(error: unknown): string {
  if (isApiError(error)) {
    if (error.status === 0) return "Can't reach the server. Check your connection and try again.";
    if (error.status === 429) return 'Too many messages in a short time. Wait a moment, then try again.';
    if (error.status >= 500) return 'Something went wrong on our side. Try again.';
    return error.message;
  }
  return 'Something went wrong. Try again.';
}
