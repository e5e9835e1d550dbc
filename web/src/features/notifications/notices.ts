/**
 * Which server frames become a notice for the person signed in to this tab, and what it says.
 * Pure: the provider feeds it the frame and what it knows about the tab.
 */
import { matchPath } from 'react-router';
import type { ServerFrame } from '../../api/realtime';
import type { Role } from '../../api/client';

/** Something worth telling the person about one conversation. */
export interface Notice {
  conversationId: number;
  /** `message`: new message(s); `conversation`: a new conversation (admins). */
  kind: 'message' | 'conversation';
  /** The message it is about, to drop a frame seen twice; null when unknown. */
  messageId: number | null;
  senderName: string;
  preview: string;
  urgent: boolean;
  /** The conversation's subject when the frame carries it. */
  subject: string | null;
  /** Whether an in-app toast may show it (never for the conversation on screen). */
  toast: boolean;
}

export interface NoticeContext {
  selfId: number;
  /** The conversation this tab shows, if any. */
  onScreenId: number | null;
  /** The tab is in the background (`document.hidden`). */
  hidden: boolean;
  /**
   * Conversations whose `joined` frame arrived on the current connection: their `message`
   * frames are live. Before it, they are the catch-up replay and never notify.
   */
  liveRooms: ReadonlySet<number>;
}

const CONVERSATION_PATHS = ['/support/:id', '/admin/support/:id'];

/** The conversation a path shows (`/support/7`, `/admin/support/7`), or null. */
export function conversationOnScreen(pathname: string): number | null {
  for (const pattern of CONVERSATION_PATHS) {
    const id = matchPath(pattern, pathname)?.params.id;
    if (id !== undefined && /^[1-9]\d{0,15}$/.test(id)) return Number(id);
  }
  return null;
}

/** Where a conversation opens for this person. */
export function conversationPath(conversationId: number, role: Role): string {
  return role === 'admin' ? `/admin/support/${conversationId}` : `/support/${conversationId}`;
}

/**
 * The notice a frame makes for this tab, or null when it should stay quiet: frames that are not
 * about new messages, my own messages, the conversation I am looking at (unless the tab is in
 * the background), and messages replayed while (re)joining a conversation.
 */
export function noticeFromFrame(frame: ServerFrame, ctx: NoticeContext): Notice | null {
  switch (frame.type) {
    case 'notification': {
      const onScreen = frame.conversationId === ctx.onScreenId;
      if (onScreen && !ctx.hidden) return null;
      return {
        conversationId: frame.conversationId,
        kind: 'message',
        messageId: frame.data.messageId,
        senderName: frame.data.senderName,
        preview: frame.data.preview,
        urgent: frame.data.urgent,
        subject: null,
        toast: !onScreen,
      };
    }
    case 'message': {
      // A joined conversation gets `message` frames instead of notifications: it is on screen
      // (tell only a tab in the background), or it stays joined for a send still on its way.
      const m = frame.data;
      if (m.senderId === ctx.selfId || m.senderType === 'system' || m.deletedAt != null) return null;
      if (!ctx.liveRooms.has(frame.conversationId)) return null;
      const onScreen = frame.conversationId === ctx.onScreenId;
      if (onScreen && !ctx.hidden) return null;
      return {
        conversationId: frame.conversationId,
        kind: 'message',
        messageId: m.id,
        senderName: m.senderName,
        preview: m.content.slice(0, 200),
        urgent: false,
        subject: null,
        toast: !onScreen,
      };
    }
    case 'conversation_created': {
      // Sent to admins only; the admin who opened it needs no notice.
      const { conversation, message } = frame.data;
      if (conversation.user.id === ctx.selfId) return null;
      const onScreen = frame.conversationId === ctx.onScreenId;
      if (onScreen && !ctx.hidden) return null;
      return {
        conversationId: frame.conversationId,
        kind: 'conversation',
        messageId: message.id,
        senderName: conversation.user.name,
        preview: message.content.slice(0, 200),
        urgent: conversation.priority === 'urgent',
        subject: conversation.subject,
        toast: !onScreen,
      };
    }
    default:
      return null;
  }
}
