import { isApiError } from '../../api/client';

/** A sentence for a failed load, never a stack trace or a status code alone. */
export function loadErrorText(error: unknown, what: string): string {
  if (isApiError(error)) {
    if (error.status === 0) return `Can't reach the server to load ${what}. Check your connection.`;
    if (error.status === 404) return `This ${what} doesn't exist, or it isn't yours.`;
    if (error.code === 'feature_disabled') return "Support chat isn't available for your account right now.";
    if (error.status === 429) return 'Too many requests. Wait a moment, then try again.';
    if (error.status >= 500) return `Something went wrong on our side while loading ${what}.`;
    return error.message;
  }
  return `Something went wrong while loading ${what}.`;
}
