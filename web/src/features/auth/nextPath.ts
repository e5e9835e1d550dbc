const PLACEHOLDER_ORIGIN = 'http://support-chat.invalid';

/**
 * Returns `raw` when it is a same-origin relative path (`/…`, not `//…` or `/\…`), else `fallback`.
 * Guards the `?next=` redirect after sign-in against sending people to another site.
 */
export function safeNextPath(raw: string | null | undefined, fallback = '/'): string {
  if (raw == null || !raw.startsWith('/')) return fallback;
  // Browsers read `\` as `/` and drop tabs and newlines, so `/\evil.com` and `/\t/evil.com` mean `//evil.com`.
  // eslint-disable-next-line no-control-regex
  if (/[\\\u0000-\u001f\u007f]/.test(raw)) return fallback;
  if (raw.startsWith('//')) return fallback;
  let url: URL;
  try {
    url = new URL(raw, PLACEHOLDER_ORIGIN);
  } catch {
    return fallback;
  }
  if (url.origin !== PLACEHOLDER_ORIGIN) return fallback;
  const path = `${url.pathname}${url.search}${url.hash}`;
  // Dot segments can collapse into a protocol-relative path: `/a/../..//evil.com` → `//evil.com`.
  return path.startsWith('//') ? fallback : path;
}

// `/` is legal in a query value; keeping it readable gives `/login?next=/support/12`.
function encodeNext(path: string): string {
  return encodeURIComponent(path).replace(/%2F/gi, '/');
}

/** The sign-in URL that brings the person back to `path` afterwards, e.g. `/login?next=/support`. */
export function loginPathFor(path: string): string {
  return `/login?next=${encodeNext(safeNextPath(path))}`;
}

/** `page` carrying a safe `next` along (used by the links between sign-in and sign-up). */
export function withNext(page: string, rawNext: string | null): string {
  const next = safeNextPath(rawNext, '');
  return next === '' ? page : `${page}?next=${encodeNext(next)}`;
}
