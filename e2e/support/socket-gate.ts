import type { Page } from '@playwright/test';

const SOCKET_URL = /\/api\/support-chat\/ws(\?.*)?$/;

/**
 * Sits between a page and the server's WebSocket and can hold the server's frames back, to see
 * a state that normally lasts milliseconds (a message "Sent" but not yet acknowledged).
 * The page still talks to the real server over a real socket; frames are only delayed, in order.
 */
/** The envelope of a server frame (`crates/server/src/realtime/protocol.rs`). */
export interface FrameHead {
  type: string;
  conversationId?: number;
}

function headOf(frame: string | Buffer): FrameHead | null {
  try {
    const value: unknown = JSON.parse(typeof frame === 'string' ? frame : frame.toString('utf8'));
    if (typeof value !== 'object' || value === null || !('type' in value) || typeof value.type !== 'string') return null;
    const conversationId = 'conversationId' in value && typeof value.conversationId === 'number' ? value.conversationId : undefined;
    return conversationId === undefined ? { type: value.type } : { type: value.type, conversationId };
  } catch {
    return null;
  }
}

export class SocketGate {
  private holding = false;
  private readonly held: (() => void)[] = [];
  /** Frames handed to the page so far. */
  private readonly delivered: FrameHead[] = [];
  private readonly waiters: { match: (frame: FrameHead) => boolean; resolve: () => void }[] = [];

  /** Installs the gate on a page; call before the page opens the app. */
  static async install(page: Page): Promise<SocketGate> {
    const gate = new SocketGate();
    await page.routeWebSocket(SOCKET_URL, (ws) => {
      const server = ws.connectToServer();
      ws.onMessage((frame) => { server.send(frame); });
      server.onMessage((frame) => {
        gate.pass(() => {
          ws.send(frame);
          gate.record(headOf(frame));
        });
      });
    });
    return gate;
  }

  private pass(deliver: () => void) {
    if (this.holding) this.held.push(deliver);
    else deliver();
  }

  private record(head: FrameHead | null) {
    if (head === null) return;
    this.delivered.push(head);
    for (const waiter of [...this.waiters]) {
      if (!waiter.match(head)) continue;
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  }

  /** Resolves once the page has been handed a frame like this (at once if it already was). */
  async delivery(match: (frame: FrameHead) => boolean, timeoutMs = 10_000): Promise<void> {
    if (this.delivered.some(match)) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`no matching frame reached the page within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push({
        match,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  /** Resolves once the page has joined the conversation (its `joined` frame arrived). */
  async joined(conversationId: number): Promise<void> {
    await this.delivery((f) => f.type === 'joined' && f.conversationId === conversationId);
  }

  /** From now on, frames from the server wait. */
  hold(): void {
    this.holding = true;
  }

  /** Delivers the waiting frames in order, and lets later ones through. */
  release(): void {
    this.holding = false;
    for (const deliver of this.held.splice(0)) deliver();
  }
}
