/**
 * A short, quiet two-note tone made with Web Audio (no file to download). Browsers only let a
 * page play sound after the person interacted with it, so the audio context is unlocked on the
 * first click or key press.
 */

/** Two tones never play closer together than this, whatever the bursts. */
export const MIN_GAP_MS = 2_000;

type AudioContextClass = typeof AudioContext;

function contextClass(): AudioContextClass | null {
  if (typeof window === 'undefined') return null;
  const w = window as unknown as { AudioContext?: AudioContextClass; webkitAudioContext?: AudioContextClass };
  return w.AudioContext ?? w.webkitAudioContext ?? null;
}

export class Chime {
  private ctx: AudioContext | null = null;
  private lastPlayed = -Infinity;

  /** Creates (or resumes) the audio context; call from a user gesture. Resolves once it runs. */
  async unlock(): Promise<void> {
    const Ctx = contextClass();
    if (Ctx === null) return;
    try {
      this.ctx ??= new Ctx();
      if (this.ctx.state === 'suspended') await this.ctx.resume();
    } catch {
      // No audio (blocked or unavailable): the tone stays silent.
    }
  }

  /**
   * Plays the tone unless one played less than `MIN_GAP_MS` ago (`force` skips that check);
   * false when it could not play.
   */
  play(now: number = Date.now(), { force = false }: { force?: boolean } = {}): boolean {
    if (!force && now - this.lastPlayed < MIN_GAP_MS) return false;
    const ctx = this.ctx;
    if (ctx?.state !== 'running') return false;
    this.lastPlayed = now;
    const start = ctx.currentTime;
    const gain = ctx.createGain();
    gain.connect(ctx.destination);
    gain.gain.setValueAtTime(0.0001, start);
    gain.gain.exponentialRampToValueAtTime(0.06, start + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.32);
    for (const [freq, offset] of [
      [880, 0],
      [1320, 0.09],
    ] as const) {
      const osc = ctx.createOscillator();
      osc.type = 'sine';
      osc.frequency.setValueAtTime(freq, start + offset);
      osc.connect(gain);
      osc.start(start + offset);
      osc.stop(start + 0.34);
    }
    return true;
  }

  close(): void {
    void this.ctx?.close().catch(() => undefined);
    this.ctx = null;
  }
}
