/** The tab title with the unread count in front: `(3) Support · support-chat`. */

const BADGE = /^\(\d+\+?\) /;

/** The title without a count this module put in front of it. */
export function stripBadge(title: string): string {
  return title.replace(BADGE, '');
}

/** `(n) title`, or the bare title when nothing is unread; counts over 99 show as `99+`. */
export function formatTitle(title: string, unread: number): string {
  const base = stripBadge(title);
  if (!Number.isFinite(unread) || unread <= 0) return base;
  const n = unread > 99 ? '99+' : String(Math.floor(unread));
  return `(${n}) ${base}`;
}
