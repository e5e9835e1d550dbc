/**
 * The admin notification centre's model: conversations that need an admin — new (open and
 * unassigned), urgent, or assigned to me. Seeded from the admin list over REST, then kept
 * current by live frames; "seen" is a moment in time, and items with activity after it count
 * as unread. Pure functions; the component holds the state.
 */
import type { ServerFrame } from '../../api/realtime';
import type { ConversationSummary } from '../../api/support';

export type CentreReason = 'urgent' | 'assigned' | 'new';

export const REASON_LABELS: Readonly<Record<CentreReason, string>> = {
  urgent: 'Urgent',
  assigned: 'Assigned to you',
  new: 'New',
};

const REASON_ORDER: readonly CentreReason[] = ['urgent', 'assigned', 'new'];

export interface CentreItem {
  conversationId: number;
  /** Unknown until the list is fetched again when only a frame told about it. */
  subject: string | null;
  userName: string | null;
  reasons: readonly CentreReason[];
  /** Time of the latest activity (ms since the epoch). */
  at: number;
  preview: string | null;
}

export type CentreItems = Readonly<Record<number, CentreItem>>;

/** A live frame and when it arrived. */
export interface CentreEvent {
  frame: ServerFrame;
  at: number;
}

/** The most items the centre keeps. */
export const MAX_ITEMS = 30;

function time(iso: string | null | undefined): number {
  const t = iso == null ? NaN : Date.parse(iso);
  return Number.isNaN(t) ? 0 : t;
}

function sorted(reasons: Iterable<CentreReason>): CentreReason[] {
  const set = new Set(reasons);
  return REASON_ORDER.filter((r) => set.has(r));
}

/** Why a conversation belongs in the centre for admin `selfId` (empty: it does not). */
export function reasonsFor(
  c: Pick<ConversationSummary, 'status' | 'priority' | 'admin'>,
  selfId: number,
): CentreReason[] {
  if (c.status === 'closed' || c.status === 'transferred') return [];
  const reasons: CentreReason[] = [];
  if (c.priority === 'urgent') reasons.push('urgent');
  if (c.admin?.id === selfId) reasons.push('assigned');
  if (c.admin == null && c.status === 'open') reasons.push('new');
  return reasons;
}

/** The centre from admin list rows (the same conversation may come from several lists). */
export function seedCentre(rows: readonly ConversationSummary[], selfId: number): CentreItems {
  const items: Record<number, CentreItem> = {};
  for (const c of rows) {
    const reasons = reasonsFor(c, selfId);
    if (reasons.length === 0) continue;
    items[c.id] = {
      conversationId: c.id,
      subject: c.subject,
      userName: c.user.name,
      reasons,
      at: Math.max(time(c.lastMessageAt), time(c.createdAt)),
      preview: c.lastMessage ?? null,
    };
  }
  return items;
}

function put(items: CentreItems, item: CentreItem): CentreItems {
  if (item.reasons.length === 0) return drop(items, item.conversationId);
  return { ...items, [item.conversationId]: item };
}

function drop(items: CentreItems, id: number): CentreItems {
  if (!(id in items)) return items;
  return Object.fromEntries(
    Object.values(items)
      .filter((i) => i.conversationId !== id)
      .map((i) => [i.conversationId, i]),
  );
}

function blank(conversationId: number, at: number): CentreItem {
  return { conversationId, subject: null, userName: null, reasons: [], at, preview: null };
}

/** Applies one live frame for admin `selfId`. */
export function applyCentreEvent(items: CentreItems, { frame, at }: CentreEvent, selfId: number): CentreItems {
  switch (frame.type) {
    case 'conversation_created': {
      const { conversation: c, message } = frame.data;
      return put(items, {
        conversationId: c.id,
        subject: c.subject,
        userName: c.user.name,
        reasons: reasonsFor(c, selfId),
        at: Math.max(time(c.createdAt), time(message.createdAt)),
        preview: message.content,
      });
    }
    case 'notification': {
      // Sent to me for conversations assigned to me or to nobody.
      const existing = items[frame.conversationId];
      if (existing === undefined && !frame.data.urgent) return items;
      const item = existing ?? blank(frame.conversationId, at);
      return put(items, {
        ...item,
        reasons: frame.data.urgent ? sorted([...item.reasons, 'urgent']) : item.reasons,
        at,
        preview: frame.data.preview,
      });
    }
    case 'conversation_updated': {
      const change = frame.data;
      const id = frame.conversationId;
      if (change.status === 'closed' || change.status === 'transferred' || change.archived === true) {
        return drop(items, id);
      }
      const existing = items[id];
      const assignedToMe = change.adminId === selfId;
      const madeUrgent = change.priority === 'urgent';
      if (existing === undefined && !assignedToMe && !madeUrgent) return items;
      const item = existing ?? blank(id, at);
      const reasons = new Set(item.reasons);
      let latest = item.at;
      if (change.adminId !== undefined) {
        reasons.delete('new');
        reasons.delete('assigned');
        if (assignedToMe) {
          reasons.add('assigned');
          latest = at;
        } else if (change.adminId === null) {
          reasons.add('new');
        }
      }
      if (change.priority != null) {
        if (madeUrgent) {
          if (!reasons.has('urgent')) latest = at;
          reasons.add('urgent');
        } else {
          reasons.delete('urgent');
        }
      }
      return put(items, { ...item, subject: change.subject ?? item.subject, reasons: sorted(reasons), at: latest });
    }
    default:
      return items;
  }
}

/** Newest activity first, at most `MAX_ITEMS`. */
export function centreList(items: CentreItems): CentreItem[] {
  return Object.values(items)
    .sort((a, b) => b.at - a.at || b.conversationId - a.conversationId)
    .slice(0, MAX_ITEMS);
}

/** How many items had activity after `seenAt`. */
export function unseenCount(items: CentreItems, seenAt: number): number {
  return centreList(items).filter((i) => i.at > seenAt).length;
}

/** The "seen" mark after "Mark all as seen": now, or the newest item if its clock runs ahead. */
export function seenMark(items: CentreItems, now: number): number {
  return Math.max(now, ...Object.values(items).map((i) => i.at));
}
