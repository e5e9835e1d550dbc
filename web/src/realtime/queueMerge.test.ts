import { describe, expect, it } from 'vitest';
import { DEFAULT_FILTERS, type QueueFilters } from '../api/admin';
import type { ConversationSummary, ConversationsResponse } from '../api/support';
import { conversation, summary } from '../features/support/testUtils';
import { applyChange, belongsInView, insertCreated, summaryFromCreated } from './queueMerge';
import { serverMessage } from './testMessages';

const ME = 1;
const BO = { id: 3, name: 'Bo', email: 'bo@example.com' };

function page(rows: ConversationSummary[], { pageNo = 1, pageSize = 25, total = rows.length, hasMore = false } = {}): ConversationsResponse {
  return { conversations: rows, pagination: { page: pageNo, pageSize, total, hasMore } };
}

const view = (change: Partial<QueueFilters> = {}): QueueFilters => ({ ...DEFAULT_FILTERS, ...change });

const created = summaryFromCreated({
  conversation: conversation({ id: 50, subject: 'Printer on fire', priority: 'urgent', unreadCount: 0 }),
  message: serverMessage({ id: 90, conversationId: 50, content: 'It is smoking', createdAt: '2026-11-24T11:00:00Z' }),
});

describe('a new conversation in the queue', () => {
  it('becomes a row with its first message as preview, unread for admins', () => {
    expect(created).toMatchObject({
      id: 50,
      subject: 'Printer on fire',
      priority: 'urgent',
      lastMessage: 'It is smoking',
      lastMessageAt: '2026-11-24T11:00:00Z',
      unreadCount: 1,
      admin: null,
    });
  });

  it('goes on top of the first page of the newest-first queue, and counts', () => {
    const before = page([summary({ id: 1 }), summary({ id: 2 })]);
    const after = insertCreated(before, created, view(), ME);
    expect(after.conversations.map((c) => c.id)).toEqual([50, 1, 2]);
    expect(after.pagination.total).toBe(3);
  });

  it('keeps a full page full, and says there is more', () => {
    const full = page([summary({ id: 1 }), summary({ id: 2 })], { pageSize: 2, total: 2 });
    const after = insertCreated(full, created, view(), ME);
    expect(after.conversations.map((c) => c.id)).toEqual([50, 1]);
    expect(after.pagination).toMatchObject({ total: 3, hasMore: true });
  });

  it('is placed by priority in the priority order', () => {
    const rows = [summary({ id: 1, priority: 'urgent' }), summary({ id: 2, priority: 'high' })];
    const normal = { ...created, priority: 'normal' as const };
    expect(insertCreated(page(rows), normal, view({ sort: 'priority' }), ME).conversations.map((c) => c.id)).toEqual([1, 2, 50]);
    expect(insertCreated(page(rows), created, view({ sort: 'priority' }), ME).conversations.map((c) => c.id)).toEqual([50, 1, 2]);
  });

  it('leaves views it does not belong in alone (the same page back)', () => {
    const before = page([summary({ id: 1 })]);
    for (const filters of [
      view({ status: 'closed' }),
      view({ priority: 'low' }),
      view({ assignee: 'me' }),
      view({ assignee: BO.id }),
      view({ tag: 'billing' }),
      view({ q: 'invoice' }),
      view({ archived: true }),
      view({ page: 2 }),
      view({ sort: 'oldest' }),
    ]) {
      expect(insertCreated(before, created, filters, ME)).toBe(before);
    }
  });

  it('matches the search in the subject or the first message, ignoring case', () => {
    expect(belongsInView(created, view({ q: 'PRINTER' }), ME)).toBe(true);
    expect(belongsInView(created, view({ q: 'smoking' }), ME)).toBe(true);
    expect(belongsInView(created, view({ assignee: 'unassigned', status: 'open', priority: 'urgent' }), ME)).toBe(true);
  });

  it('is not added twice when the refetch already brought it', () => {
    const before = page([{ ...created }, summary({ id: 1 })]);
    expect(insertCreated(before, created, view(), ME)).toBe(before);
  });
});

describe('a changed conversation in the queue', () => {
  const rows = () => page([summary({ id: 7, tags: ['billing'] }), summary({ id: 8 })]);

  it('shows the new status, priority and subject in its row only', () => {
    const before = rows();
    const after = applyChange(before, 7, { status: 'closed', priority: 'urgent', subject: 'Renamed' }, view(), []);
    expect(after.conversations[0]).toMatchObject({ status: 'closed', priority: 'urgent', subject: 'Renamed' });
    expect(after.conversations[1]).toBe(before.conversations[1]);
  });

  it('names the new assignee from the admins list, or unassigns', () => {
    const assigned = applyChange(rows(), 7, { adminId: BO.id }, view(), [BO]);
    expect(assigned.conversations[0]?.admin).toEqual({ id: BO.id, name: 'Bo' });
    expect(applyChange(assigned, 7, { adminId: null }, view(), [BO]).conversations[0]?.admin).toBeNull();
    expect(applyChange(rows(), 7, { adminId: 99 }, view(), undefined).conversations[0]?.admin).toEqual({ id: 99, name: 'Admin #99' });
  });

  it('adds tags once, lower-cased', () => {
    const after = applyChange(rows(), 7, { tagsAdded: ['VIP', 'billing'] }, view(), []);
    expect(after.conversations[0]?.tags).toEqual(['billing', 'vip']);
  });

  it('drops an archived conversation from the live queue, and a restored one from the archive', () => {
    const archived = applyChange(rows(), 7, { archived: true }, view(), []);
    expect(archived.conversations.map((c) => c.id)).toEqual([8]);
    expect(archived.pagination.total).toBe(1);
    const restored = applyChange(rows(), 8, { archived: false }, view({ archived: true }), []);
    expect(restored.conversations.map((c) => c.id)).toEqual([7]);
  });

  it('returns the same page for a conversation that is not on it', () => {
    const before = rows();
    expect(applyChange(before, 99, { status: 'closed' }, view(), [])).toBe(before);
    expect(applyChange(before, 99, { archived: true }, view(), [])).toBe(before);
  });
});
