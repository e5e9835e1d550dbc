import { test as base, expect, type Browser, type BrowserContext, type BrowserContextOptions } from '@playwright/test';
import { AdminDesk } from './admin';
import { ApiSession, newAccount, type Account } from './api';
import { ConsoleGuard } from './console-guard';
import { SupportChatServer, type Credentials } from './server';

export interface SupportChatFixtures {
  /** This test's own server: a fresh SQLite data directory on a free port. */
  server: SupportChatServer;
  /** The first admin, created by the server at start. */
  adminCredentials: Credentials;
  /** Fails the test on any console error or page error in any page of any context it opens. */
  consoleGuard: ConsoleGuard;
  /**
   * Another browser context (another person, or the same person in another browser), on this
   * test's server, watched by the console guard and closed at the end. `who` names it in errors.
   */
  newContext: (who: string, options?: BrowserContextOptions) => Promise<BrowserContext>;
  /** The support admin: REST session plus a browser of their own (see `AdminDesk`). */
  admin: AdminDesk;
  /** Registers a new end user through the API in the test's browser context (which is then signed in). */
  signUp: (name: string) => Promise<{ account: Account; api: ApiSession }>;
}

export const test = base.extend<SupportChatFixtures>({
  // eslint-disable-next-line no-empty-pattern -- Playwright requires the destructuring form.
  server: async ({}, use, testInfo) => {
    const server = await SupportChatServer.start();
    try {
      await use(server);
    } finally {
      if (testInfo.status !== testInfo.expectedStatus) {
        await testInfo.attach('server.log', { body: server.logText(), contentType: 'text/plain' });
      }
      await server.dispose();
    }
  },

  baseURL: async ({ server }, use) => {
    await use(server.baseURL);
  },

  adminCredentials: async ({ server }, use) => {
    await use(server.admin);
  },

  consoleGuard: [
    // Depends on `server` so that it is torn down first: contexts close before the server stops
    // (a server going away under open pages would make them log connection errors).
    async ({ browser, server: _server }, use, testInfo) => {
      const guard = new ConsoleGuard();
      const opened: BrowserContext[] = [];
      // Every context made during the test, however it is made, is watched.
      const original = browser.newContext.bind(browser);
      const patched: Browser['newContext'] = async (options) => {
        const context = await original(options);
        opened.push(context);
        guard.watch(context, 'browser context');
        return context;
      };
      browser.newContext = patched;
      try {
        await use(guard);
      } finally {
        browser.newContext = original;
        for (const context of opened) await context.close();
      }
      const expected = guard.expectedDuringOutage();
      if (expected.length > 0) {
        await testInfo.attach('expected connection errors while the server was down', {
          body: expected.join('\n'),
          contentType: 'text/plain',
        });
      }
      guard.assertClean();
    },
    { auto: true },
  ],

  context: async ({ context, consoleGuard }, use) => {
    consoleGuard.watch(context, 'user');
    await use(context);
  },

  newContext: async ({ browser, consoleGuard, baseURL }, use) => {
    await use(async (who, options = {}) => {
      const context = await browser.newContext({ baseURL, ...options });
      consoleGuard.watch(context, who);
      return context;
    });
  },

  admin: async ({ playwright, baseURL, server, newContext }, use) => {
    const request = await playwright.request.newContext({ baseURL });
    try {
      const api = await ApiSession.signIn(request, server.admin);
      expect(api.user.role).toBe('admin');
      await use(new AdminDesk(server.admin, api, () => newContext('admin')));
    } finally {
      await request.dispose();
    }
  },

  signUp: async ({ context }, use) => {
    await use(async (name) => {
      const account = newAccount(name);
      const api = await ApiSession.register(context.request, account);
      return { account, api };
    });
  },
});

export { expect };
