import type { ConversationSummary } from '../../api/support';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * A span of time, short and readable: `45 s`, `4 min`, `2 h 5 min`, `3 d 4 h`. Rounded down,
 * so "1 h" never means 59 minutes. Negative spans (clock skew) count as zero.
 */
export function formatDuration(ms: number): string {
  const t = Math.max(0, Math.floor(ms));
  if (t < MINUTE) return `${Math.floor(t / 1000)} s`;
  if (t < HOUR) return `${Math.floor(t / MINUTE)} min`;
  if (t < DAY) {
    const h = Math.floor(t / HOUR);
    const m = Math.floor((t % HOUR) / MINUTE);
    return m === 0 ? `${h} h` : `${h} h ${m} min`;
  }
  const d = Math.floor(t / DAY);
  const h = Math.floor((t % DAY) / HOUR);
  return h === 0 ? `${d} d` : `${d} d ${h} h`;
}

/** A stats figure that may be missing (no conversation answered yet). */
export function formatOptionalDuration(ms: number | null | undefined): string {
  return ms == null ? '—' : formatDuration(ms);
}

export interface ResponseTime {
  text: string;
  /** Still waiting for a first reply (shown as a warning). */
  waiting: boolean;
}

/**
 * A queue row's response time: how long the first admin reply took, or, while the
 * conversation is open and unanswered, how long it has been waiting.
 */
export function responseTime(
  row: Pick<ConversationSummary, 'firstResponseMs' | 'status' | 'createdAt'>,
  now: Date,
): ResponseTime {
  if (row.firstResponseMs != null) return { text: `Replied in ${formatDuration(row.firstResponseMs)}`, waiting: false };
  if (row.status === 'open' || row.status === 'in_progress') {
    return { text: `Waiting ${formatDuration(now.getTime() - Date.parse(row.createdAt))}`, waiting: true };
  }
  return { text: 'No reply', waiting: false };
}
