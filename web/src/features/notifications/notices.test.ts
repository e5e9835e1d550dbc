import { describe, expect, it } from 'vitest';
import type { ServerFrame } from '../../api/realtime';
import { conversation, message } from '../support/testUtils';
import { conversationOnScreen, conversationPath, noticeFromFrame, type NoticeContext } from './notices';

const ME = 2;
const base: NoticeContext = { selfId: ME, onScreenId: null, hidden: false, liveRooms: new Set() };

function notification(conversationId: number, overrides: Partial<{ urgent: boolean; senderName: string }> = {}): ServerFrame {
  return {
    type: 'notification',
    conversationId,
    data: { kind: 'message', messageId: 41, senderName: 'Ada', preview: 'We fixed it', urgent: false, ...overrides },
  };
}

describe('noticeFromFrame', () => {
  it('turns a notification for another conversation into a toast', () => {
    expect(noticeFromFrame(notification(7, { urgent: true }), { ...base, onScreenId: 9 })).toEqual({
      conversationId: 7,
      kind: 'message',
      messageId: 41,
      senderName: 'Ada',
      preview: 'We fixed it',
      urgent: true,
      subject: null,
      toast: true,
    });
  });

  it('stays quiet for the conversation on screen while the tab is in front', () => {
    expect(noticeFromFrame(notification(7), { ...base, onScreenId: 7 })).toBeNull();
  });

  it('tells a tab in the background about the conversation it shows, without a toast', () => {
    const n = noticeFromFrame(notification(7), { ...base, onScreenId: 7, hidden: true });
    expect(n?.toast).toBe(false);
  });

  it('notifies about live messages from others in a joined conversation', () => {
    const frame: ServerFrame = { type: 'message', conversationId: 7, data: message({ id: 50, senderId: 1, senderName: 'Ada', senderType: 'admin', content: 'Hello' }) };
    const live = { ...base, liveRooms: new Set([7]) };
    expect(noticeFromFrame(frame, { ...live, onScreenId: null })).toMatchObject({ messageId: 50, senderName: 'Ada', toast: true });
    // On screen: only when the tab is hidden, and then with no toast.
    expect(noticeFromFrame(frame, { ...live, onScreenId: 7 })).toBeNull();
    expect(noticeFromFrame(frame, { ...live, onScreenId: 7, hidden: true })).toMatchObject({ toast: false });
  });

  it('never notifies about my own messages, system messages or the replay while joining', () => {
    const live = { ...base, liveRooms: new Set([7]), hidden: true };
    const mine: ServerFrame = { type: 'message', conversationId: 7, data: message({ id: 51, senderId: ME }) };
    const system: ServerFrame = { type: 'message', conversationId: 7, data: message({ id: 52, senderId: 0, senderType: 'system' }) };
    const replayed: ServerFrame = { type: 'message', conversationId: 8, data: message({ id: 53, conversationId: 8, senderId: 1 }) };
    expect(noticeFromFrame(mine, live)).toBeNull();
    expect(noticeFromFrame(system, live)).toBeNull();
    expect(noticeFromFrame(replayed, live)).toBeNull();
  });

  it('tells admins about a conversation someone else opened, urgent when it is', () => {
    const frame: ServerFrame = {
      type: 'conversation_created',
      conversationId: 12,
      data: {
        conversation: conversation({ id: 12, subject: 'Refund', priority: 'urgent', user: { id: 5, name: 'Ann' } }),
        message: message({ id: 60, conversationId: 12, senderId: 5, content: 'Please help' }),
      },
    };
    expect(noticeFromFrame(frame, { ...base, selfId: 1 })).toEqual({
      conversationId: 12,
      kind: 'conversation',
      messageId: 60,
      senderName: 'Ann',
      preview: 'Please help',
      urgent: true,
      subject: 'Refund',
      toast: true,
    });
    // The admin who opened it hears nothing.
    expect(noticeFromFrame(frame, { ...base, selfId: 5 })).toBeNull();
  });

  it('ignores frames that are not about new messages', () => {
    const frames: ServerFrame[] = [
      { type: 'typing', conversationId: 7, data: { userId: 1, name: 'Ada', isTyping: true } },
      { type: 'presence', data: { adminsOnline: 1 } },
      { type: 'conversation_updated', conversationId: 7, data: { status: 'closed' } },
      { type: 'read_receipt', conversationId: 7, data: { userId: 1, messageId: 3 } },
      { type: 'pong' },
    ];
    for (const f of frames) expect(noticeFromFrame(f, { ...base, hidden: true })).toBeNull();
  });
});

describe('conversation paths', () => {
  it('finds the conversation a page shows', () => {
    expect(conversationOnScreen('/support/7')).toBe(7);
    expect(conversationOnScreen('/admin/support/12')).toBe(12);
    expect(conversationOnScreen('/support')).toBeNull();
    expect(conversationOnScreen('/support/new')).toBeNull();
    expect(conversationOnScreen('/settings/notifications')).toBeNull();
  });

  it('opens users at /support/:id and admins at /admin/support/:id', () => {
    expect(conversationPath(7, 'user')).toBe('/support/7');
    expect(conversationPath(7, 'admin')).toBe('/admin/support/7');
  });
});
