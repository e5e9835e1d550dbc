import { AlertCircle, BookOpen, Bot, Info } from 'lucide-react';
import { useLayoutEffect, useRef, type ReactNode } from 'react';
import { Link, useLocation } from 'react-router';
import type { AssistantTurn } from '../../api/assistant';
import { Button } from '../../ui/Button';
import { TypingDots } from '../../ui/TypingDots';
import { formatClock, formatFull } from '../support/format';
import type { AssistantThreadState } from './threadState';
import styles from './AssistantThread.module.css';

/** Within this distance of the end, the reader counts as "at the bottom" (and is kept there). */
const BOTTOM_SLACK_PX = 48;

/** Said under an answer the built-in answerer gave because the AI model failed. */
export const FALLBACK_NOTE = "The AI model couldn't answer just now, so this answer comes from the built-in help search.";

interface AssistantThreadProps {
  state: AssistantThreadState;
  onRetry: () => void;
  /** Shown after the latest answer (the suggestion to talk to a person). */
  after?: ReactNode;
  /** Shown when the chat has no turns yet. */
  empty?: ReactNode;
}

/** The turns of one assistant chat, oldest first, with the answer being written at the end. */
export function AssistantThread({ state, onRetry, after, empty }: AssistantThreadProps) {
  const scrollerRef = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const { turns, pending } = state;

  // Follow the answer as it grows, unless the reader scrolled up to read something earlier.
  useLayoutEffect(() => {
    const el = scrollerRef.current;
    if (el !== null && atBottom.current) el.scrollTop = el.scrollHeight;
  });

  const nothingYet = turns.length === 0 && pending === null;
  return (
    <div
      ref={scrollerRef}
      className={styles.scroller}
      tabIndex={0}
      role="region"
      aria-label="Chat history"
      onScroll={() => {
        const el = scrollerRef.current;
        if (el !== null) atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight <= BOTTOM_SLACK_PX;
      }}
    >
      {nothingYet && empty}
      <ol className={styles.list} role="log" aria-label="Assistant chat" aria-live="polite">
        {turns.map((turn) => (
          <li key={turn.id} className={styles.item}>
            {turn.role === 'user' ? <Question text={turn.content} createdAt={turn.createdAt} /> : <Answer turn={turn} />}
          </li>
        ))}
        {pending !== null && (
          <>
            <li className={styles.item}>
              <Question text={pending.question} createdAt={pending.stored?.createdAt ?? null} />
            </li>
            <li className={styles.item}>
              {pending.phase === 'failed' ? (
                <div className={styles.failure} role="alert">
                  <AlertCircle size={18} aria-hidden="true" className={styles.failureIcon} />
                  <p className={styles.failureText}>
                    No answer: {pending.error ?? 'something went wrong.'}
                  </p>
                  <Button variant="secondary" size="small" onClick={onRetry}>
                    Retry
                  </Button>
                </div>
              ) : (
                <div className={`${styles.turn} ${styles.assistant}`} aria-busy="true">
                  <p className={styles.sender}>
                    <Bot size={16} aria-hidden="true" /> Assistant
                  </p>
                  <div className={styles.bubble}>
                    {pending.notice !== null && (
                      <p className={`${styles.fallback} ${styles.notice}`}>
                        <Info size={14} aria-hidden="true" />
                        {pending.notice}
                      </p>
                    )}
                    {pending.phase === 'asking' ? (
                      <p className={styles.thinking}>
                        <TypingDots />
                        Looking through the help articles…
                      </p>
                    ) : (
                      <p className={styles.content}>
                        {pending.answer}
                        <span className={styles.caret} aria-hidden="true" />
                      </p>
                    )}
                  </div>
                </div>
              )}
            </li>
          </>
        )}
      </ol>
      {pending === null && after}
    </div>
  );
}

function Question({ text, createdAt }: { text: string; createdAt: string | null }) {
  return (
    <div className={`${styles.turn} ${styles.user}`}>
      <p className="visually-hidden">You:</p>
      <div className={styles.bubble}>
        <p className={styles.content}>{text}</p>
        <p className={styles.footer}>
          {createdAt === null ? (
            'Sending…'
          ) : (
            <time dateTime={createdAt} title={formatFull(createdAt)}>
              {formatClock(createdAt)}
            </time>
          )}
        </p>
      </div>
    </div>
  );
}

function Answer({ turn }: { turn: AssistantTurn }) {
  // The article page's "Back" returns to this chat.
  const here = useLocation().pathname;
  return (
    <div className={`${styles.turn} ${styles.assistant}`}>
      <p className={styles.sender}>
        <Bot size={16} aria-hidden="true" /> Assistant
      </p>
      <div className={styles.bubble}>
        <p className={styles.content}>{turn.content}</p>
        {turn.answeredBy === 'fallback' && (
          <p className={styles.fallback}>
            <Info size={14} aria-hidden="true" />
            {FALLBACK_NOTE}
          </p>
        )}
        {turn.sources.length > 0 && (
          <div className={styles.sources}>
            <p className={styles.sourcesTitle} id={`sources-${turn.id}`}>
              {turn.sources.length === 1 ? 'Source' : 'Sources'}
            </p>
            <ul className={styles.sourceList} aria-labelledby={`sources-${turn.id}`}>
              {turn.sources.map((source) => (
                <li key={source.articleId}>
                  <Link to={`/help/articles/${source.articleId}`} state={{ back: here }} className={styles.source}>
                    <BookOpen size={14} aria-hidden="true" />
                    {source.title}
                  </Link>
                </li>
              ))}
            </ul>
          </div>
        )}
        <p className={styles.footer}>
          <time dateTime={turn.createdAt} title={formatFull(turn.createdAt)}>
            {formatClock(turn.createdAt)}
          </time>
        </p>
      </div>
    </div>
  );
}
