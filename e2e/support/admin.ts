import { expect, type BrowserContext, type Page } from '@playwright/test';
import type { ApiSession, ConversationDetails, FeatureFlag, Message } from './api';
import type { Credentials } from './server';
import { expectConnection, expectMessageOnce, messageLog, sendFromComposer, STORED } from './ui';

/**
 * What the support admin does in a test, one method per step.
 *
 * Each step goes through the browser where the web app offers it today, else through the REST
 * API. Today an admin answers from the shared conversation page (`/support/:id`, which admins may
 * open for any conversation); when the admin pages land, `openConversation` (and the feature-flag
 * step, now an API call) change here and the tests stay as they are.
 */
export class AdminDesk {
  readonly credentials: Credentials;
  /** The admin's REST session (a standalone request context, not the browser's cookies). */
  readonly api: ApiSession;
  private readonly newContext: () => Promise<BrowserContext>;
  private context: BrowserContext | null = null;
  private page: Page | null = null;

  constructor(credentials: Credentials, api: ApiSession, newContext: () => Promise<BrowserContext>) {
    this.credentials = credentials;
    this.api = api;
    this.newContext = newContext;
  }

  /** The admin's browser tab, signed in (opened on first use). */
  async browserPage(): Promise<Page> {
    if (this.page !== null) return this.page;
    const context = await this.newContext();
    // The browser context's own request context shares its cookies: this signs the browser in.
    const res = await context.request.post('/api/auth/login', {
      data: { email: this.credentials.email, password: this.credentials.password },
    });
    expect(res.status(), await res.text()).toBe(200);
    this.context = context;
    this.page = await context.newPage();
    return this.page;
  }

  /** Opens a conversation in the admin's browser, which (at the newest message, tab in front) marks it read. */
  async openConversation(conversationId: number): Promise<Page> {
    const page = await this.browserPage();
    const path = `/support/${conversationId}`;
    if (new URL(page.url(), 'http://x').pathname !== path) {
      await page.goto(path);
      await expect(messageLog(page)).toBeVisible();
      // Live from here on: typing and read receipts go out only over a connected socket.
      await expectConnection(page, 'Connected');
    }
    return page;
  }

  /** Reads the conversation: opening it at the newest message, tab in front, sends the read receipt. */
  async readConversation(conversationId: number): Promise<void> {
    await this.openConversation(conversationId);
  }

  /** Types a reply without sending it (the user sees "… is typing"). */
  async startTyping(conversationId: number, draft: string): Promise<void> {
    const page = await this.openConversation(conversationId);
    await page.getByRole('textbox', { name: 'Message' }).pressSequentially(draft);
  }

  /**
   * Writes a reply in the browser and sends it (replacing any draft). Resolves once the server
   * stored it, or at once when `queued` (the admin's connection is down: the reply waits).
   */
  async reply(conversationId: number, content: string, { queued = false } = {}): Promise<void> {
    const page = await this.openConversation(conversationId);
    await sendFromComposer(page, content);
    await expectMessageOnce(page, content, queued ? 'Waiting for connection' : STORED);
  }

  /** Waits until a reply sent while disconnected has been stored. */
  async expectReplyStored(conversationId: number, content: string): Promise<void> {
    const page = await this.openConversation(conversationId);
    await expectMessageOnce(page, content, STORED);
  }

  /** Sends a reply through the REST API (no browser involved). */
  async replyThroughApi(conversationId: number, content: string): Promise<Message> {
    return this.api.sendMessage(conversationId, content);
  }

  /** Turns a feature flag on or off for everyone (no admin page for flags yet: REST). */
  async setFeature(key: string, enabled: boolean): Promise<FeatureFlag> {
    return this.api.setFeature(key, enabled);
  }

  /** The conversation as stored (for exactly-once checks). */
  async conversation(conversationId: number): Promise<ConversationDetails> {
    return this.api.conversation(conversationId);
  }

  /** How many stored messages of the conversation have exactly this content. */
  async storedCount(conversationId: number, content: string): Promise<number> {
    const details = await this.conversation(conversationId);
    return details.messages.filter((m) => m.content === content).length;
  }

  /** The admin's browser context, when it was opened (the fixture closes it). */
  get browserContext(): BrowserContext | null {
    return this.context;
  }
}
