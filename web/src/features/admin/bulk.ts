import type { BulkAction } from '../../api/admin';

/** Splits "billing, VIP" into tags as the server stores them. */
export function parseTags(text: string): string[] {
  const tags = text
    .split(',')
    .map((t) => t.trim().toLowerCase())
    .filter((t) => t !== '');
  return [...new Set(tags)];
}

export function conversations(n: number): string {
  return `${n} ${n === 1 ? 'conversation' : 'conversations'}`;
}

/** What a finished bulk action says; `requested` vs `updated` tells about ids that were gone. */
export function bulkResultText(action: BulkAction, requested: number, updated: number, adminName?: string): string {
  const what = conversations(updated);
  let done: string;
  switch (action.action) {
    case 'close':
      done = `Closed ${what}.`;
      break;
    case 'archive':
      done = `Archived ${what}.`;
      break;
    case 'restore':
      done = `Restored ${what}.`;
      break;
    case 'assign':
      done = action.adminId === null ? `Unassigned ${what}.` : `Assigned ${what} to ${adminName ?? 'the admin'}.`;
      break;
    case 'tag':
      done = `Tagged ${what} with ${action.tags.join(', ')}.`;
      break;
  }
  const missed = requested - updated;
  return missed > 0 ? `${done} ${conversations(missed)} no longer existed.` : done;
}
