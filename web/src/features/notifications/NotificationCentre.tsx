import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Bell } from 'lucide-react';
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { Link } from 'react-router';
import { useApi } from '../../api/ApiContext';
import { useRealtimeFrames } from '../../realtime/RealtimeContext';
import { Button } from '../../ui/Button';
import { useCurrentUser } from '../auth/AuthContext';
import { formatListTime } from '../support/format';
import {
  REASON_LABELS,
  applyCentreEvent,
  centreList,
  seedCentre,
  seenMark,
  unseenCount,
  type CentreEvent,
  type CentreItems,
} from './centre';
import { centreKey, centreQuery, type CentreSeedData } from './centreQuery';
import { conversationPath } from './notices';
import styles from './NotificationCentre.module.css';

/** Frames that do not carry everything the centre shows make it fetch again this much later. */
export const CENTRE_REFETCH_DELAY_MS = 2_000;
const MAX_EVENTS = 100;

function seenKey(userId: number): string {
  return `support-chat:notifications-seen:${userId}`;
}

function readSeen(userId: number): number {
  try {
    const raw = window.localStorage.getItem(seenKey(userId));
    const n = raw === null ? 0 : Number(raw);
    return Number.isFinite(n) ? n : 0;
  } catch {
    return 0;
  }
}

function writeSeen(userId: number, at: number): void {
  try {
    window.localStorage.setItem(seenKey(userId), String(at));
  } catch {
    // Private mode or storage full: "seen" lasts until the page reloads.
  }
}

/**
 * The admin's notification centre: a bell in the header with the number of unseen items, and a
 * panel listing conversations that need an admin — new (open, nobody assigned), urgent, and
 * assigned to me — each linking to the conversation. Seeded over REST (again on every open),
 * kept current by live frames.
 */
export function NotificationCentre() {
  const api = useApi();
  const user = useCurrentUser();
  const queryClient = useQueryClient();
  const query = useQuery(centreQuery(api, user.id, true));
  const [events, setEvents] = useState<readonly CentreEvent[]>([]);
  const [seenAt, setSeenAt] = useState(() => readSeen(user.id));
  const [open, setOpen] = useState(false);
  const bell = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLDivElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const refetchTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const panelId = useId();
  const headingId = useId();

  const data = query.data;
  const items = useMemo<CentreItems>(() => {
    const fetchedAt = data?.fetchedAt ?? 0;
    return events
      .filter((e) => e.at >= fetchedAt)
      .reduce((acc, e) => applyCentreEvent(acc, e, user.id), seedCentre(data?.rows ?? [], user.id));
  }, [events, data, user.id]);
  const known = useRef(items);
  useEffect(() => {
    known.current = items;
  });

  function refetchSoon() {
    if (refetchTimer.current !== null) clearTimeout(refetchTimer.current);
    refetchTimer.current = setTimeout(() => {
      refetchTimer.current = null;
      void queryClient.invalidateQueries({ queryKey: centreKey(user.id) });
    }, CENTRE_REFETCH_DELAY_MS);
  }

  useEffect(
    () => () => {
      if (refetchTimer.current !== null) clearTimeout(refetchTimer.current);
    },
    [],
  );

  useRealtimeFrames((frame) => {
    if (frame.type !== 'conversation_created' && frame.type !== 'notification' && frame.type !== 'conversation_updated') {
      return;
    }
    const at = Date.now();
    const fetchedAt = queryClient.getQueryData<CentreSeedData>(centreKey(user.id))?.fetchedAt ?? 0;
    setEvents((prev) => [...prev.filter((e) => e.at >= fetchedAt).slice(-(MAX_EVENTS - 1)), { frame, at }]);
    // A frame about a conversation the centre does not know, or a new assignee or priority,
    // lacks the subject or the rest of the picture: the list fills it in.
    const unknown = !(frame.conversationId in known.current);
    const reshuffle = frame.type === 'conversation_updated' && (frame.data.adminId !== undefined || frame.data.priority != null);
    if (frame.type !== 'conversation_created' && (unknown || reshuffle)) refetchSoon();
  });

  // Escape or a click outside closes the panel; Escape gives focus back to the bell.
  useEffect(() => {
    if (!open) return;
    heading.current?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== 'Escape') return;
      event.preventDefault();
      setOpen(false);
      bell.current?.focus();
    };
    const onPointer = (event: PointerEvent) => {
      const target = event.target as Node | null;
      if (panel.current?.contains(target) === true || bell.current?.contains(target) === true) return;
      setOpen(false);
    };
    document.addEventListener('keydown', onKey);
    document.addEventListener('pointerdown', onPointer);
    return () => {
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('pointerdown', onPointer);
    };
  }, [open]);

  const list = centreList(items);
  const unseen = unseenCount(items, seenAt);
  const label = unseen > 0 ? `Notifications, ${unseen} unread` : 'Notifications';

  function toggle() {
    if (!open) void query.refetch();
    setOpen(!open);
  }

  function markAllSeen() {
    const mark = seenMark(items, Date.now());
    setSeenAt(mark);
    writeSeen(user.id, mark);
    // The button turns disabled: keep the keyboard in the panel.
    heading.current?.focus();
  }

  let body;
  if (list.length === 0 && query.isPending) {
    body = (
      <p role="status" className={styles.muted}>
        Loading notifications…
      </p>
    );
  } else if (list.length === 0 && query.isError) {
    body = (
      <p role="alert" className={styles.error}>
        Couldn&apos;t load notifications.{' '}
        <button type="button" className={styles.linkButton} onClick={() => void query.refetch()}>
          Try again
        </button>
      </p>
    );
  } else if (list.length === 0) {
    body = <p className={styles.muted}>Nothing needs you right now: no new, urgent or assigned conversations.</p>;
  } else {
    const now = new Date();
    body = (
      <ul className={styles.list}>
        {list.map((item) => {
          const isNew = item.at > seenAt;
          const iso = new Date(item.at).toISOString();
          return (
            <li key={item.conversationId}>
              <Link
                to={conversationPath(item.conversationId, 'admin')}
                className={`${styles.item} ${isNew ? styles.unseen : ''}`}
                onClick={() => {
                  setOpen(false);
                }}
              >
                <span className={styles.itemTop}>
                  <span className={styles.subject}>{item.subject ?? `Conversation #${item.conversationId}`}</span>
                  <time className={styles.time} dateTime={iso}>
                    {formatListTime(iso, now)}
                  </time>
                </span>
                <span className={styles.reasons}>
                  {isNew && <span className={styles.newDot}>Unread</span>}
                  {item.reasons.map((r) => (
                    <span key={r} className={`${styles.reason} ${styles[r]}`}>
                      {REASON_LABELS[r]}
                    </span>
                  ))}
                  {item.userName !== null && <span className={styles.who}>{item.userName}</span>}
                </span>
                {item.preview !== null && <span className={styles.preview}>{item.preview}</span>}
              </Link>
            </li>
          );
        })}
      </ul>
    );
  }

  return (
    <div className={styles.wrapper}>
      <button
        ref={bell}
        type="button"
        className={styles.bell}
        aria-label={label}
        aria-expanded={open}
        aria-controls={open ? panelId : undefined}
        aria-haspopup="dialog"
        onClick={toggle}
      >
        <Bell size={18} aria-hidden="true" />
        {unseen > 0 && (
          <span className={styles.count} aria-hidden="true">
            {unseen > 99 ? '99+' : unseen}
          </span>
        )}
      </button>
      {open && (
        <div ref={panel} id={panelId} role="dialog" aria-labelledby={headingId} className={styles.panel}>
          <div className={styles.head}>
            <h2 id={headingId} ref={heading} tabIndex={-1} className={styles.heading}>
              Notifications
            </h2>
            <Button variant="secondary" size="small" onClick={markAllSeen} disabled={unseen === 0}>
              Mark all as seen
            </Button>
          </div>
          {body}
        </div>
      )}
    </div>
  );
}
