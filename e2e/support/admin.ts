import { expect, type BrowserContext, type Locator, type Page } from '@playwright/test';
import type { ApiSession, ConversationDetails, FeatureFlag, Message } from './api';
import type { Credentials } from './server';
import { escapeRegExp, expectConnection, expectMessageOnce, messageLog, sendFromComposer, STORED } from './ui';

/** A conversation's status as the admin pages name it (`web/src/features/support/format.ts`). */
export type StatusLabel = 'Open' | 'In progress' | 'Closed';

/**
 * What the support admin does in a test, one method per step.
 *
 * Each step goes through the admin's own browser and the admin pages where the web app offers it
 * (the live queue `/admin/support`, the conversation `/admin/support/:id`, the flags
 * `/admin/features`), else through the REST API (`replyThroughApi`, and reading what is stored).
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

  /** Opens the queue (`/admin/support`), unless it is already on screen. */
  async openQueue(): Promise<Page> {
    const page = await this.browserPage();
    if (pathOf(page) !== '/admin/support') {
      await page.goto('/admin/support');
    }
    await expect(page.getByRole('heading', { name: 'Support queue' })).toBeVisible();
    return page;
  }

  /** The queue's row for the conversation with this subject (the queue must be on screen). */
  async queueRow(subject: string): Promise<Locator> {
    const page = await this.browserPage();
    return page.getByRole('row', { name: new RegExp(escapeRegExp(subject)) });
  }

  /**
   * Opens a conversation the way an admin does: from the queue, by its subject. At the newest
   * message, tab in front, that marks it read. Stays put when it is already on screen.
   */
  async openConversation(conversationId: number): Promise<Page> {
    const page = await this.browserPage();
    if (pathOf(page) !== `/admin/support/${conversationId}`) {
      const { subject } = (await this.conversation(conversationId)).conversation;
      await this.openQueue();
      await (await this.queueRow(subject)).getByRole('link', { name: subject, exact: true }).click();
      await expect(page).toHaveURL(`/admin/support/${conversationId}`);
      await expect(page.getByRole('heading', { name: subject, level: 1 })).toBeVisible();
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

  /** Takes the conversation ("Assign to me" in its settings); the Assignee box then shows "(you)". */
  async assignToMe(conversationId: number): Promise<void> {
    const page = await this.openConversation(conversationId);
    const settings = page.getByRole('group', { name: 'Conversation settings' });
    await settings.getByRole('button', { name: 'Assign to me' }).click();
    await expect(settings.getByRole('combobox', { name: 'Assignee' }).locator('option:checked')).toHaveText(
      `${this.credentials.name} (you)`,
    );
    await expect(settings.getByRole('button', { name: 'Assign to me' })).toHaveCount(0);
  }

  /** Changes the conversation's status from its settings and waits until the badge shows it. */
  async setStatus(conversationId: number, status: StatusLabel): Promise<void> {
    const page = await this.openConversation(conversationId);
    const settings = page.getByRole('group', { name: 'Conversation settings' });
    const box = settings.getByRole('combobox', { name: 'Status' });
    await box.selectOption({ label: status });
    // The box is disabled while saving; the saved status comes back into it.
    await expect(box).toBeEnabled();
    await expect(box.locator('option:checked')).toHaveText(status);
  }

  /** In the queue: ticks these conversations and closes them in one go ("Close selected"). */
  async closeSelected(subjects: readonly string[]): Promise<void> {
    const page = await this.openQueue();
    for (const subject of subjects) {
      await (await this.queueRow(subject)).getByRole('checkbox', { name: `Select “${subject}”` }).check();
    }
    const bulk = page.getByRole('group', { name: 'Bulk actions' });
    await expect(bulk).toContainText(`${subjects.length} conversations selected`);
    await bulk.getByRole('button', { name: 'Close selected' }).click();
    await expect(bulk.getByRole('status')).toHaveText(`Closed ${subjects.length} conversations.`);
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

  /**
   * Turns a feature flag on or off for everyone on `/admin/features`: the flag's switch, then
   * Save. The flag's card is the region that shows its key.
   */
  async setFeature(key: string, enabled: boolean): Promise<FeatureFlag> {
    const page = await this.browserPage();
    if (pathOf(page) !== '/admin/features') await page.goto('/admin/features');
    const card = page.getByRole('region').filter({ has: page.getByText(key, { exact: true }) });
    const toggle = card.getByRole('switch', { name: 'Enabled' });
    // The switch's drawn track covers the checkbox: a person clicks the switch's label.
    if ((await toggle.isChecked()) !== enabled) await card.getByText('Enabled', { exact: true }).click();
    await expect(toggle).toBeChecked({ checked: enabled });
    await card.getByRole('button', { name: 'Save' }).click();
    await expect(card.getByRole('status')).toHaveText('Saved.');
    await expect(toggle).toBeChecked({ checked: enabled });
    const flag = (await this.api.features()).find((f) => f.key === key);
    if (flag === undefined) throw new Error(`no feature flag ${key}`);
    return flag;
  }

  /**
   * Writes and publishes an article on `/admin/knowledge-base` ("New article", the form, "Create
   * article"); resolves once the list shows it.
   */
  async createArticle(article: { title: string; tags: readonly string[]; body: string }): Promise<Page> {
    const page = await this.openKnowledgeBase();
    await page.getByRole('link', { name: 'New article' }).click();
    await expect(page.getByRole('heading', { name: 'New article', level: 1 })).toBeVisible();
    await page.getByRole('textbox', { name: 'Title' }).fill(article.title);
    await page.getByRole('textbox', { name: 'Tags' }).fill(article.tags.join(', '));
    await page.getByRole('textbox', { name: 'Body (Markdown)' }).fill(article.body);
    await expect(page.getByRole('checkbox', { name: 'Published' })).toBeChecked();
    await page.getByRole('button', { name: 'Create article' }).click();
    await expect(page).toHaveURL('/admin/knowledge-base');
    await expect(page.getByRole('status').filter({ hasText: `Created “${article.title}”.` })).toBeVisible();
    await expect(page.getByRole('row', { name: new RegExp(escapeRegExp(article.title)) })).toContainText('Published');
    return page;
  }

  /** Opens the article list (`/admin/knowledge-base`), unless it is already on screen. */
  async openKnowledgeBase(): Promise<Page> {
    const page = await this.browserPage();
    if (pathOf(page) !== '/admin/knowledge-base') await page.goto('/admin/knowledge-base');
    await expect(page.getByRole('heading', { name: 'Knowledge base', level: 1 })).toBeVisible();
    return page;
  }

  /** The AI hand-off context panel of a conversation, opened as an admin opens it (from the queue). */
  async handoffContext(conversationId: number): Promise<Locator> {
    const page = await this.openConversation(conversationId);
    return page.getByRole('region', { name: 'Handed over by the AI assistant' });
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

/** The path the page shows. */
function pathOf(page: Page): string {
  return new URL(page.url(), 'http://x').pathname;
}
