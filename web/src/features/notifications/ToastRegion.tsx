import { X } from 'lucide-react';
import { useEffect, useState, useSyncExternalStore } from 'react';
import { Link } from 'react-router';
import { burstTitle, visibleToasts, type Burst, type BurstState } from './bursts';
import styles from './ToastRegion.module.css';

/** A toast hides this long after its last update, unless hovered, focused or the tab is hidden. */
export const TOAST_TIMEOUT_MS = 8_000;

function subscribeVisibility(onChange: () => void) {
  document.addEventListener('visibilitychange', onChange);
  return () => {
    document.removeEventListener('visibilitychange', onChange);
  };
}

function usePageHidden(): boolean {
  return useSyncExternalStore(subscribeVisibility, () => document.hidden);
}

interface ToastRegionProps {
  state: BurstState;
  /** The conversation on screen: never toasted. */
  onScreenId: number | null;
  pathFor: (conversationId: number) => string;
  /** The toast timed out (the burst goes on for a while). */
  onHide: (conversationId: number) => void;
  /** The person dismissed or opened it. */
  onEnd: (conversationId: number) => void;
}

/**
 * New-message toasts in a polite live region: one per conversation burst, updated in place as
 * more messages arrive. Always in the page, so screen readers hear the toasts added to it.
 */
export function ToastRegion({ state, onScreenId, pathFor, onHide, onEnd }: ToastRegionProps) {
  const hidden = usePageHidden();
  const toasts = visibleToasts(state).filter((b) => b.conversationId !== onScreenId);
  return (
    <section aria-label="Message notifications" className={styles.region}>
      <ol className={styles.list} aria-live="polite" aria-relevant="additions text">
        {toasts.map((burst) => (
          <Toast
            key={burst.key}
            burst={burst}
            href={pathFor(burst.conversationId)}
            pageHidden={hidden}
            onHide={onHide}
            onEnd={onEnd}
          />
        ))}
      </ol>
    </section>
  );
}

interface ToastProps {
  burst: Burst;
  href: string;
  pageHidden: boolean;
  onHide: (conversationId: number) => void;
  onEnd: (conversationId: number) => void;
}

function Toast({ burst, href, pageHidden, onHide, onEnd }: ToastProps) {
  const [hovered, setHovered] = useState(false);
  const [focused, setFocused] = useState(false);
  const paused = hovered || focused || pageHidden;
  const id = burst.conversationId;
  const title = burstTitle(burst);
  const titleId = `toast-title-${burst.key}`;

  // Every update (`lastAt`) starts the countdown again.
  useEffect(() => {
    if (paused) return;
    const timer = setTimeout(() => {
      onHide(id);
    }, TOAST_TIMEOUT_MS);
    return () => {
      clearTimeout(timer);
    };
  }, [paused, burst.lastAt, id, onHide]);

  return (
    <li
      className={`${styles.toast} ${burst.urgent ? styles.urgent : ''}`}
      aria-labelledby={titleId}
      onMouseEnter={() => {
        setHovered(true);
      }}
      onMouseLeave={() => {
        setHovered(false);
      }}
      onFocus={() => {
        setFocused(true);
      }}
      onBlur={(event) => {
        if (!event.currentTarget.contains(event.relatedTarget)) setFocused(false);
      }}
    >
      <Link
        to={href}
        className={styles.open}
        onClick={() => {
          onEnd(id);
        }}
      >
        <span id={titleId} className={styles.title}>
          {burst.urgent && <span className={styles.urgentTag}>Urgent</span>}
          {title}
        </span>
        {burst.subject !== null && <span className={styles.subject}>{burst.subject}</span>}
        <span className={styles.preview}>{burst.preview}</span>
      </Link>
      <button
        type="button"
        className={styles.dismiss}
        aria-label={`Dismiss: ${title}`}
        title="Dismiss"
        onClick={() => {
          onEnd(id);
        }}
      >
        <X size={16} aria-hidden="true" />
      </button>
    </li>
  );
}
