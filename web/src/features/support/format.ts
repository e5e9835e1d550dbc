import type { ConversationStatus, Priority } from '../../api/support';
import type { ConnectionStatus, DeliveryStatus, TypingPerson } from '../../realtime/types';

export interface FormatOptions {
  /** Defaults to the browser's. */
  locale?: string | undefined;
  /** Defaults to the browser's; tests pin it. */
  timeZone?: string | undefined;
}

function dayKey(date: Date, timeZone: string | undefined): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(date);
}

function daysBetween(later: Date, earlier: Date, timeZone: string | undefined): number {
  const a = Date.parse(dayKey(later, timeZone));
  const b = Date.parse(dayKey(earlier, timeZone));
  return Math.round((a - b) / 86_400_000);
}

/** A message's clock time, e.g. `14:05`. */
export function formatClock(iso: string, { locale, timeZone }: FormatOptions = {}): string {
  return new Intl.DateTimeFormat(locale, { timeZone, hour: 'numeric', minute: '2-digit' }).format(new Date(iso));
}

/** The full date and time, for a tooltip or a screen reader. */
export function formatFull(iso: string, { locale, timeZone }: FormatOptions = {}): string {
  return new Intl.DateTimeFormat(locale, { timeZone, dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

/** A list row's time: the clock today, "Yesterday", the weekday this week, else the date. */
export function formatListTime(iso: string, now: Date = new Date(), options: FormatOptions = {}): string {
  const { locale, timeZone } = options;
  const date = new Date(iso);
  const days = daysBetween(now, date, timeZone);
  if (days <= 0) return formatClock(iso, options);
  if (days === 1) return 'Yesterday';
  if (days < 7) return new Intl.DateTimeFormat(locale, { timeZone, weekday: 'short' }).format(date);
  const sameYear = dayKey(now, timeZone).slice(0, 4) === dayKey(date, timeZone).slice(0, 4);
  return new Intl.DateTimeFormat(locale, {
    timeZone,
    day: 'numeric',
    month: 'short',
    ...(sameYear ? {} : { year: 'numeric' }),
  }).format(date);
}

/** The heading between days in a thread: "Today", "Yesterday" or the date. */
export function formatDayHeading(iso: string, now: Date = new Date(), options: FormatOptions = {}): string {
  const { locale, timeZone } = options;
  const date = new Date(iso);
  const days = daysBetween(now, date, timeZone);
  if (days <= 0) return 'Today';
  if (days === 1) return 'Yesterday';
  return new Intl.DateTimeFormat(locale, { timeZone, weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }).format(date);
}

/** Whether two times fall on the same calendar day (for day headings). */
export function sameDay(a: string, b: string, { timeZone }: FormatOptions = {}): boolean {
  return dayKey(new Date(a), timeZone) === dayKey(new Date(b), timeZone);
}

export const STATUS_LABELS: Record<ConversationStatus, string> = {
  open: 'Open',
  in_progress: 'In progress',
  closed: 'Closed',
  transferred: 'Transferred',
};

export const PRIORITY_LABELS: Record<Priority, string> = {
  low: 'Low',
  normal: 'Normal',
  high: 'High',
  urgent: 'Urgent',
};

export const CONNECTION_LABELS: Record<ConnectionStatus, string> = {
  connecting: 'Connecting…',
  connected: 'Connected',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
};

/** What the line under one of my messages says. */
export function deliveryLabel(status: DeliveryStatus, connection: ConnectionStatus): string {
  switch (status) {
    case 'sending':
      return connection === 'connected' ? 'Sending…' : 'Waiting for connection';
    case 'sent':
      return 'Sent';
    case 'delivered':
      return 'Delivered';
    case 'read':
      return 'Read';
    case 'failed':
      return 'Not sent';
  }
}

/** "Ada is typing…", "Ada and Bo are typing…", "3 people are typing…". */
export function typingText(people: readonly TypingPerson[]): string {
  const [first, second] = people;
  if (first === undefined) return '';
  if (second === undefined) return `${first.name} is typing…`;
  if (people.length === 2) return `${first.name} and ${second.name} are typing…`;
  return `${people.length} people are typing…`;
}

const count = new Intl.NumberFormat('en');
/** "1,234 / 10,000". */
export function formatCount(value: number): string {
  return count.format(value);
}
