import type { Page } from '@playwright/test';

const SOCKET_URL = /\/api\/support-chat\/ws(\?.*)?$/;

/**
 * Sits between a page and the server's WebSocket and can hold the server's frames back, to see
 * a state that normally lasts milliseconds (a message "Sent" but not yet acknowledged).
 * The page still talks to the real server over a real socket; frames are only delayed, in order.
 */
export class SocketGate {
  private holding = false;
  private readonly held: (() => void)[] = [];

  /** Installs the gate on a page; call before the page opens the app. */
  static async install(page: Page): Promise<SocketGate> {
    const gate = new SocketGate();
    await page.routeWebSocket(SOCKET_URL, (ws) => {
      const server = ws.connectToServer();
      ws.onMessage((frame) => { server.send(frame); });
      server.onMessage((frame) => {
        gate.pass(() => { ws.send(frame); });
      });
    });
    return gate;
  }

  private pass(deliver: () => void) {
    if (this.holding) this.held.push(deliver);
    else deliver();
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
