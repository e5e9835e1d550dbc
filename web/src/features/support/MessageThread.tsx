import { AlertCircle, ArrowDown, Check, CheckCheck, Clock } from 'lucide-react';
import { useLayoutEffect, useRef, useState } from 'react';
import type { ConnectionStatus, DeliveryStatus, ThreadMessage, TypingPerson } from '../../realtime/types';
import { Button } from '../../ui/Button';
import { TypingDots } from '../../ui/TypingDots';
import { deliveryLabel, formatClock, formatDayHeading, formatFull, sameDay, typingText } from './format';
import styles from './MessageThread.module.css';

/** Within this distance of the end, the reader counts as "at the bottom" (and is kept there). */
const BOTTOM_SLACK_PX = 48;
/** Messages from one sender this close together share one name line. */
const GROUP_WINDOW_MS = 5 * 60_000;

interface MessageThreadProps {
  messages: readonly ThreadMessage[];
  selfId: number;
  connection: ConnectionStatus;
  typing: readonly TypingPerson[];
  hasOlder: boolean;
  olderLoading: boolean;
  olderError: string | null;
  onLoadOlder: () => void;
  onRetry: (message: ThreadMessage) => void;
  onDiscard: (message: ThreadMessage) => void;
  /** Whether the reader is at the newest message (to send read receipts). */
  onAtBottomChange?: (atBottom: boolean) => void;
}

function DeliveryIcon({ status }: { status: DeliveryStatus }) {
  const props = { size: 14, 'aria-hidden': true } as const;
  switch (status) {
    case 'sending':
      return <Clock {...props} />;
    case 'sent':
      return <Check {...props} />;
    case 'delivered':
      return <CheckCheck {...props} />;
    case 'read':
      return <CheckCheck {...props} className={styles.readIcon} />;
    case 'failed':
      return <AlertCircle {...props} />;
  }
}

/** The messages of one conversation, oldest first, kept scrolled to the newest unless the reader scrolled up. */
export function MessageThread({
  messages,
  selfId,
  connection,
  typing,
  hasOlder,
  olderLoading,
  olderError,
  onLoadOlder,
  onRetry,
  onDiscard,
  onAtBottomChange,
}: MessageThreadProps) {
  const scrollerRef = useRef<HTMLDivElement>(null);
  const atBottomRef = useRef(true);
  const previous = useRef<{ first?: string | undefined; last?: string | undefined; height: number }>({ height: 0 });
  const [atBottom, setAtBottom] = useState(true);
  const [lastSeenKey, setLastSeenKey] = useState<string | undefined>(undefined);

  const firstKey = messages[0]?.key;
  const lastKey = messages.at(-1)?.key;
  const lastOwnKey = messages.findLast((m) => m.senderId === selfId)?.key;

  function scrollToBottom(smooth = false) {
    const el = scrollerRef.current;
    if (el === null) return;
    if (smooth && typeof el.scrollTo === 'function') el.scrollTo({ top: el.scrollHeight, behavior: 'smooth' });
    else el.scrollTop = el.scrollHeight;
  }

  function handleScroll() {
    const el = scrollerRef.current;
    if (el === null) return;
    const bottom = el.scrollHeight - el.scrollTop - el.clientHeight <= BOTTOM_SLACK_PX;
    atBottomRef.current = bottom;
    if (bottom) setLastSeenKey(lastKey);
    if (bottom !== atBottom) {
      setAtBottom(bottom);
      onAtBottomChange?.(bottom);
    }
  }

  // Keep the reader's place: follow new messages at the bottom, hold still when reading
  // further up, and keep the same message in view when older ones are put in above.
  useLayoutEffect(() => {
    const el = scrollerRef.current;
    if (el === null) return;
    const before = previous.current;
    const newest = messages.at(-1);
    if (before.last === undefined && lastKey !== undefined) {
      el.scrollTop = el.scrollHeight;
    } else if (firstKey !== before.first && lastKey === before.last) {
      el.scrollTop += el.scrollHeight - before.height;
    } else if (lastKey !== before.last) {
      const justSentByMe = newest?.senderId === selfId && newest.id === null;
      if (atBottomRef.current || justSentByMe) el.scrollTop = el.scrollHeight;
    } else if (atBottomRef.current && el.scrollHeight !== before.height) {
      el.scrollTop = el.scrollHeight;
    }
    previous.current = { first: firstKey, last: lastKey, height: el.scrollHeight };
  });

  const seenIndex = lastSeenKey === undefined ? -1 : messages.findIndex((m) => m.key === lastSeenKey);
  const unseen = atBottom || seenIndex < 0 ? 0 : messages.slice(seenIndex + 1).filter((m) => m.senderId !== selfId).length;
  const now = new Date();

  return (
    <div className={styles.wrapper}>
      {/* Focusable so keyboard users can scroll the history with the arrow keys. */}
      <div
        ref={scrollerRef}
        className={styles.scroller}
        onScroll={handleScroll}
        tabIndex={0}
        role="region"
        aria-label="Message history"
      >
        {hasOlder && (
          <div className={styles.older}>
            <Button variant="secondary" size="small" busy={olderLoading} onClick={onLoadOlder}>
              Load older messages
            </Button>
            {olderError && (
              <p role="alert" className={styles.olderError}>
                {olderError}
              </p>
            )}
          </div>
        )}
        <ol className={styles.list} role="log" aria-label="Messages" aria-live="polite">
          {messages.map((m, index) => {
            const prev = index > 0 ? messages[index - 1] : undefined;
            const newDay = prev === undefined || !sameDay(prev.createdAt, m.createdAt);
            const own = m.senderId === selfId;
            const system = m.senderType === 'system' || m.messageType === 'system' || m.messageType === 'handoff';
            const grouped =
              !newDay &&
              prev.senderId === m.senderId &&
              Date.parse(m.createdAt) - Date.parse(prev.createdAt) < GROUP_WINDOW_MS;
            const who = own ? 'You' : m.senderName;
            return (
              <li key={m.key} className={styles.item}>
                {newDay && (
                  <p className={styles.day}>
                    <span>{formatDayHeading(m.createdAt, now)}</span>
                  </p>
                )}
                {system ? (
                  <p className={styles.system}>{m.content}</p>
                ) : (
                  <div className={`${styles.message} ${own ? styles.own : styles.other}`}>
                    {grouped ? (
                      <span className="visually-hidden">{who}:</span>
                    ) : (
                      <p className={styles.sender}>{who}</p>
                    )}
                    <div className={`${styles.bubble} ${m.deleted ? styles.deleted : ''} ${m.status === 'failed' ? styles.failedBubble : ''}`}>
                      <p className={styles.content}>{m.content}</p>
                      <p className={styles.footer}>
                        <time dateTime={m.createdAt} title={formatFull(m.createdAt)}>
                          {formatClock(m.createdAt)}
                        </time>
                        {own && (
                          <span className={`${styles.delivery} ${styles[m.status]}`}>
                            <DeliveryIcon status={m.status} />
                            <span className={m.key === lastOwnKey || m.status === 'failed' || m.status === 'sending' ? '' : 'visually-hidden'}>
                              {deliveryLabel(m.status, connection)}
                            </span>
                          </span>
                        )}
                      </p>
                    </div>
                    {own && m.status === 'failed' && (
                      <div className={styles.failure}>
                        <p>{m.error ?? 'This message was not sent.'}</p>
                        <div className={styles.failureActions}>
                          <Button variant="secondary" size="small" onClick={() => { onRetry(m); }}>
                            Retry
                          </Button>
                          <Button variant="secondary" size="small" onClick={() => { onDiscard(m); }}>
                            Discard
                          </Button>
                        </div>
                      </div>
                    )}
                  </div>
                )}
              </li>
            );
          })}
        </ol>
        <p className={styles.typing} aria-live="polite">
          {typing.length > 0 && (
            <>
              <TypingDots />
              {typingText(typing)}
            </>
          )}
        </p>
      </div>
      {!atBottom && (
        <button type="button" className={styles.jump} onClick={() => { scrollToBottom(true); }}>
          <ArrowDown size={16} aria-hidden="true" />
          {unseen > 0 ? `${unseen} new ${unseen === 1 ? 'message' : 'messages'}` : 'Jump to newest'}
        </button>
      )}
    </div>
  );
}
