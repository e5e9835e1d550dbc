import { describe, expect, it } from 'vitest';
import type { ServerFrame } from '../../api/realtime';
import { conversation, message, summary } from '../support/testUtils';
import { applyCentreEvent, centreList, reasonsFor, seedCentre, seenMark, unseenCount } from './centre';

const ME = 1;
const t = (iso: string) => Date.parse(iso);

describe('the notification centre', () => {
  it('holds new, urgent and my conversations, and nothing closed', () => {
    expect(reasonsFor({ status: 'open', priority: 'normal', admin: null }, ME)).toEqual(['new']);
    expect(reasonsFor({ status: 'open', priority: 'urgent', admin: null }, ME)).toEqual(['urgent', 'new']);
    expect(reasonsFor({ status: 'in_progress', priority: 'high', admin: { id: ME, name: 'Me' } }, ME)).toEqual(['assigned']);
    expect(reasonsFor({ status: 'in_progress', priority: 'normal', admin: { id: 9, name: 'Bea' } }, ME)).toEqual([]);
    expect(reasonsFor({ status: 'closed', priority: 'urgent', admin: { id: ME, name: 'Me' } }, ME)).toEqual([]);
  });

  it('is seeded from list rows, once per conversation, newest activity first', () => {
    const rows = [
      summary({ id: 1, subject: 'Unassigned', lastMessageAt: '2026-11-24T10:00:00Z' }),
      summary({ id: 2, subject: 'Urgent', priority: 'urgent', admin: { id: 9, name: 'Bea' }, status: 'in_progress', lastMessageAt: '2026-11-24T11:00:00Z' }),
      summary({ id: 2, subject: 'Urgent', priority: 'urgent', admin: { id: 9, name: 'Bea' }, status: 'in_progress', lastMessageAt: '2026-11-24T11:00:00Z' }),
      summary({ id: 3, subject: 'Closed urgent', priority: 'urgent', status: 'closed' }),
    ];
    const list = centreList(seedCentre(rows, ME));
    expect(list.map((i) => [i.conversationId, i.reasons])).toEqual([
      [2, ['urgent']],
      [1, ['new']],
    ]);
  });

  it('adds a conversation someone opens', () => {
    const frame: ServerFrame = {
      type: 'conversation_created',
      conversationId: 4,
      data: {
        conversation: conversation({ id: 4, subject: 'Billing', createdAt: '2026-11-24T12:00:00Z', user: { id: 5, name: 'Ann' } }),
        message: message({ id: 9, conversationId: 4, content: 'Charged twice', createdAt: '2026-11-24T12:00:00Z' }),
      },
    };
    const items = applyCentreEvent({}, { frame, at: 0 }, ME);
    expect(centreList(items)).toEqual([
      { conversationId: 4, subject: 'Billing', userName: 'Ann', reasons: ['new'], at: t('2026-11-24T12:00:00Z'), preview: 'Charged twice' },
    ]);
  });

  it('follows assignment, priority and closing', () => {
    let items = seedCentre([summary({ id: 1, subject: 'Printer' })], ME);
    items = applyCentreEvent(items, { frame: { type: 'conversation_updated', conversationId: 1, data: { adminId: ME } }, at: 5 }, ME);
    expect(items[1]?.reasons).toEqual(['assigned']);
    expect(items[1]?.at).toBe(5);
    items = applyCentreEvent(items, { frame: { type: 'conversation_updated', conversationId: 1, data: { priority: 'urgent' } }, at: 6 }, ME);
    expect(items[1]?.reasons).toEqual(['urgent', 'assigned']);
    items = applyCentreEvent(items, { frame: { type: 'conversation_updated', conversationId: 1, data: { adminId: 9, priority: 'normal' } }, at: 7 }, ME);
    expect(items[1]).toBeUndefined();

    let other = seedCentre([summary({ id: 2 })], ME);
    other = applyCentreEvent(other, { frame: { type: 'conversation_updated', conversationId: 2, data: { status: 'closed' } }, at: 8 }, ME);
    expect(centreList(other)).toEqual([]);
  });

  it('learns of conversations assigned to me or made urgent before it knows their subject', () => {
    const items = applyCentreEvent({}, { frame: { type: 'conversation_updated', conversationId: 8, data: { adminId: ME } }, at: 3 }, ME);
    expect(items[8]).toMatchObject({ subject: null, reasons: ['assigned'], at: 3 });
    const urgent = applyCentreEvent(
      {},
      { frame: { type: 'notification', conversationId: 9, data: { kind: 'message', messageId: 2, senderName: 'Ann', preview: 'Down!', urgent: true } }, at: 4 },
      ME,
    );
    expect(urgent[9]).toMatchObject({ reasons: ['urgent'], preview: 'Down!', at: 4 });
    // A plain message in a conversation the centre does not hold adds nothing.
    const plain = applyCentreEvent(
      {},
      { frame: { type: 'notification', conversationId: 10, data: { kind: 'message', messageId: 3, senderName: 'Ann', preview: 'Hi', urgent: false } }, at: 4 },
      ME,
    );
    expect(plain).toEqual({});
  });

  it('counts items with activity after the seen mark', () => {
    let items = seedCentre(
      [summary({ id: 1, lastMessageAt: '2026-11-24T10:00:00Z' }), summary({ id: 2, lastMessageAt: '2026-11-24T11:00:00Z' })],
      ME,
    );
    expect(unseenCount(items, 0)).toBe(2);
    expect(unseenCount(items, t('2026-11-24T10:30:00Z'))).toBe(1);
    const mark = seenMark(items, t('2026-11-24T10:45:00Z'));
    expect(mark).toBe(t('2026-11-24T11:00:00Z'));
    expect(unseenCount(items, mark)).toBe(0);
    items = applyCentreEvent(
      items,
      { frame: { type: 'notification', conversationId: 1, data: { kind: 'message', messageId: 7, senderName: 'Ann', preview: 'More', urgent: false } }, at: mark + 1 },
      ME,
    );
    expect(unseenCount(items, mark)).toBe(1);
  });
});
