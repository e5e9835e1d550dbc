import type { BrowserContext, ConsoleMessage, Page } from '@playwright/test';

/** Where a problem came from, for the failure message. */
function pageLabel(page: Page | null): string {
  if (page === null) return 'unknown page';
  try {
    return page.url();
  } catch {
    return 'closed page';
  }
}

function describeConsole(message: ConsoleMessage): string {
  const { url, lineNumber } = message.location();
  const where = url === '' ? '' : ` (at ${url}:${lineNumber})`;
  return `console.error: ${message.text()}${where}`;
}

/**
 * Collects every console error and uncaught page error of every page in every watched browser
 * context (popups included: the context reports for all its pages). A test with any of them
 * fails, whatever else it asserted: the web app must not log errors in normal use.
 */
export class ConsoleGuard {
  private readonly problems: string[] = [];
  /** Connection failures the test caused on purpose (server stopped), kept for the report. */
  private readonly expected: string[] = [];
  /** While set: the origin of a server the test has stopped. */
  private downOrigin: URL | null = null;
  /** Watched contexts and the name each has in failure messages. */
  private readonly names = new WeakMap<BrowserContext, string>();

  /**
   * Starts listening to a context; `who` names it in failure messages ("user", "admin"…).
   * Watching an already watched context only renames it.
   */
  watch(context: BrowserContext, who: string): void {
    const known = this.names.has(context);
    this.names.set(context, who);
    if (known) return;
    const name = () => this.names.get(context) ?? who;
    context.on('console', (message) => {
      if (message.type() !== 'error') return;
      const line = `[${name()}] ${pageLabel(message.page())}: ${describeConsole(message)}`;
      if (this.isRefusedByDownServer(message)) this.expected.push(line);
      else this.problems.push(line);
    });
    context.on('weberror', (webError) => {
      const error = webError.error();
      this.problems.push(`[${name()}] ${pageLabel(webError.page())}: page error: ${error.stack ?? error.message}`);
    });
  }

  /**
   * Runs `outage`, during which the test keeps its server down on purpose. Chrome itself logs
   * every connection the pages try meanwhile ("WebSocket connection to 'ws://…' failed: …
   * net::ERR_CONNECTION_REFUSED", "Failed to load resource: net::ERR_CONNECTION_REFUSED"), as it
   * would for any site that is down; those exact lines, for that server's address, are expected
   * for the duration and nothing else is: any other error still fails the test. End the outage
   * once the pages show they are connected again.
   */
  async whileServerIsDown<T>(baseURL: string, outage: () => Promise<T>): Promise<T> {
    this.downOrigin = new URL(baseURL);
    try {
      return await outage();
    } finally {
      this.downOrigin = null;
    }
  }

  private isRefusedByDownServer(message: ConsoleMessage): boolean {
    const down = this.downOrigin;
    if (down === null) return false;
    const text = message.text();
    if (!text.endsWith('net::ERR_CONNECTION_REFUSED')) return false;
    const socket = `WebSocket connection to 'ws://${down.host}/`;
    if (text.startsWith(socket)) return true;
    return text === 'Failed to load resource: net::ERR_CONNECTION_REFUSED' && message.location().url.startsWith(`${down.origin}/`);
  }

  /** The connection failures that `whileServerIsDown` expected (for the report). */
  expectedDuringOutage(): readonly string[] {
    return this.expected;
  }

  /** Everything collected so far. */
  collected(): readonly string[] {
    return this.problems;
  }

  /** Throws (failing the test) when anything was logged. */
  assertClean(): void {
    if (this.problems.length === 0) return;
    throw new Error(
      `The browser logged ${this.problems.length} error(s) during the test:\n  ${this.problems.join('\n  ')}`,
    );
  }
}
