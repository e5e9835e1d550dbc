import { isApiError } from '../../api/client';

/** A sentence for a failed change: the server's own words (they name the field), or a plain fallback. */
export function actionErrorText(error: unknown): string {
  if (isApiError(error)) {
    if (error.status === 0) return "Can't reach the server. Check your connection and try again.";
    const fields = Object.values(error.fields);
    if (fields.length > 0) return fields.join(' ');
    if (error.status >= 500) return 'Something went wrong on our side. Try again.';
    return error.message;
  }
  return 'Something went wrong. Try again.';
}
