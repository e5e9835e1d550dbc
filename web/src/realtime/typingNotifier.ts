/** While someone keeps typing, `isTyping: true` goes out again at most this often. */
export const TYPING_REFRESH_MS = 3_000;
/** A pause this long counts as having stopped typing. */
export const TYPING_IDLE_MS = 3_000;
/** Receivers drop an indicator not refreshed for this long (a lost "stopped" frame). */
export const TYPING_STALE_MS = 6_000;

/**
 * Turns keystrokes into few `typing` frames: `true` on the first key and then at most every
 * few seconds, `false` after a pause, on send and when the composer goes away.
 */
export class TypingNotifier {
  private active = false;
  private lastSentAt = 0;
  private idleTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly send: (isTyping: boolean) => void;

  constructor(send: (isTyping: boolean) => void) {
    this.send = send;
  }

  /** The person typed something. */
  input(): void {
    const now = Date.now();
    if (!this.active || now - this.lastSentAt >= TYPING_REFRESH_MS) {
      this.active = true;
      this.lastSentAt = now;
      this.send(true);
    }
    if (this.idleTimer !== null) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      this.stop();
    }, TYPING_IDLE_MS);
  }

  /** The person sent the message, cleared the box or left: say so once if we said they were typing. */
  stop(): void {
    if (this.idleTimer !== null) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    if (!this.active) return;
    this.active = false;
    this.send(false);
  }
}
