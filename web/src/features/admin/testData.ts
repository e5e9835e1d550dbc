import type { Stats } from '../../api/admin';
import type { ConversationSummary } from '../../api/support';
import { json } from '../support/testUtils';

export const ADA = { id: 1, email: 'ada@example.com', name: 'Ada', role: 'admin' as const };
export const BO = { id: 3, email: 'bo@example.com', name: 'Bo' };

export function queuePage(conversations: ConversationSummary[], { page = 1, total = conversations.length, hasMore = false } = {}) {
  return json({ conversations, pagination: { page, pageSize: 25, total, hasMore } });
}

export function stats(overrides: Partial<Stats> = {}): Stats {
  return {
    total: 5,
    byStatus: { open: 2, in_progress: 1, closed: 2, transferred: 0 },
    byPriority: { low: 0, normal: 2, high: 0, urgent: 1 },
    unassigned: 2,
    urgentOpen: 1,
    avgFirstResponseMs: 240_000,
    medianFirstResponseMs: 120_000,
    avgResolutionMs: null,
    messagesToday: 12,
    ...overrides,
  };
}
