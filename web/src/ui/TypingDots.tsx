import styles from './TypingDots.module.css';

/** Three bouncing dots beside "… is typing" or "Looking through the help articles…" (decorative). */
export function TypingDots() {
  return (
    <span className={styles.dots} aria-hidden="true">
      <span />
      <span />
      <span />
    </span>
  );
}
