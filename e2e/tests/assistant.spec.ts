import type { Page } from '@playwright/test';
import { expect, test } from '../support/fixtures';
import {
  askAssistant,
  assistantLog,
  conversationIdFrom,
  escapeRegExp,
  expectMessageOnce,
  messageLog,
  scrollsSideways,
  snap,
} from '../support/ui';

/** Answered by the starter article "Notifications and unread messages" (crates/server/starter-kb). */
const QUESTION = 'How do I switch browser notifications on?';
const STARTER_TITLE = 'Notifications and unread messages';

/** Opens the assistant from the header, the way people find it. */
async function openAssistant(page: Page): Promise<void> {
  await page.goto('/');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Assistant' }).click();
  await expect(page).toHaveURL('/assistant');
  await expect(page.getByRole('heading', { name: 'Ask the assistant' })).toBeVisible();
}

test('a user gets an answer citing a starter article, reads it, hands the chat to a person, and the admin sees the context', async ({
  page,
  admin,
  signUp,
}) => {
  // Hand-offs on for everyone, whatever the default is.
  await admin.api.setFeature('ai_handoff', true);
  await signUp('Hana Handoff');
  await openAssistant(page);

  await askAssistant(page, QUESTION);
  const chat = assistantLog(page);
  await expect(chat).toContainText(`From "${STARTER_TITLE}"`);
  const source = chat.getByRole('link', { name: STARTER_TITLE });
  await expect(source).toBeVisible();
  // The new chat has its own address and is listed under its question.
  await expect(page).toHaveURL(/\/assistant\/\d+$/);
  const chatPath = new URL(page.url()).pathname;
  const chats = page.getByRole('navigation', { name: 'Assistant chats' });
  await expect(chats.getByRole('link', { name: new RegExp(escapeRegExp(QUESTION)) })).toHaveAttribute('aria-current', 'page');
  await snap(page, 'assistant');

  // The citation opens the article, rendered from its Markdown.
  await source.click();
  await expect(page).toHaveURL(/\/help\/articles\/\d+$/);
  const article = page.getByRole('article');
  await expect(article.getByRole('heading', { name: STARTER_TITLE, level: 1 })).toBeVisible();
  await expect(article.getByRole('heading', { name: 'Browser notifications' })).toBeVisible();
  await expect(article).toContainText('you are told about replies while the tab is hidden');
  await snap(page, 'help-article');

  // Back in the same chat, loaded from the server this time.
  await page.getByRole('link', { name: 'Back to the assistant' }).click();
  await expect(page).toHaveURL(chatPath);
  await expect(assistantLog(page).getByRole('link', { name: STARTER_TITLE })).toBeVisible();

  // "Talk to a human" hands the chat over and lands in the support conversation it became.
  await page.getByRole('button', { name: 'Talk to a human' }).click();
  await expect(page).toHaveURL(/\/support\/\d+$/);
  const id = conversationIdFrom(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Assistant hand-off: ${QUESTION}`);
  await expect(messageLog(page)).toContainText('Handed over from the AI assistant.');
  await expect(messageLog(page).getByRole('listitem')).toHaveCount(1);

  // The admin opens it from the queue: the context panel with the summary, and the transcript.
  const stored = await admin.conversation(id);
  expect(stored.conversation.type).toBe('ai_handoff');
  const context = stored.conversation.context as { summary: string } | null | undefined;
  expect(context?.summary).toBeTruthy();
  const panel = await admin.handoffContext(id);
  await expect(panel).toBeVisible();
  await expect(panel).toContainText(context?.summary ?? '');
  const transcript = panel.getByRole('list', { name: 'Assistant transcript' });
  await expect(transcript).toBeHidden();
  await panel.getByText('Assistant transcript (2 messages)').click();
  await expect(transcript.getByRole('listitem')).toHaveCount(2);
  await expect(transcript.getByRole('listitem').first()).toContainText(QUESTION);
  await expect(transcript.getByRole('listitem').last()).toContainText(`From "${STARTER_TITLE}"`);
  const desk = await admin.openConversation(id);
  await expectMessageOnce(desk, stored.messages[0]?.content ?? '');
  await snap(desk, 'admin-handoff-context');

  // The user's assistant chat now says where it went.
  await page.goto(chatPath);
  await expect(page.getByRole('link', { name: 'Open the support conversation' })).toHaveAttribute('href', `/support/${id}`);
});

test('an article an admin publishes on /admin/knowledge-base is what the assistant answers from', async ({
  page,
  admin,
  signUp,
}) => {
  const kb = await admin.createArticle({
    title: 'Downloading invoices as PDF',
    tags: ['billing', 'invoices'],
    body: '# Downloading an invoice\n\nOpen **Billing**, choose the invoice and press *Download PDF*. Invoices older than seven years are archived.',
  });
  // The starter articles and the new one, drafts included.
  await expect(kb.getByRole('row', { name: /Notifications and unread messages/ })).toBeVisible();
  await snap(kb, 'admin-knowledge-base');

  await signUp('Ivan Invoice');
  await openAssistant(page);
  await askAssistant(page, 'How can I download an invoice PDF?');
  const source = assistantLog(page).getByRole('link', { name: 'Downloading invoices as PDF' });
  await expect(source).toBeVisible();
  await expect(assistantLog(page)).toContainText('choose the invoice and press Download PDF');
});

test('on a 375 px phone the assistant answers without sideways scrolling, and the chat list opens from the header', async ({
  page,
  signUp,
}) => {
  await page.setViewportSize({ width: 375, height: 812 });
  await signUp('Pia Phone');
  await openAssistant(page);
  expect(await scrollsSideways(page)).toBe(false);

  await askAssistant(page, QUESTION);
  await expect(assistantLog(page).getByRole('link', { name: STARTER_TITLE })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Talk to a human' })).toBeInViewport();
  await expect(page.getByRole('textbox', { name: 'Question' })).toBeInViewport();
  expect(await scrollsSideways(page)).toBe(false);
  await snap(page, 'assistant-375');

  const chats = page.getByRole('navigation', { name: 'Assistant chats' });
  await expect(chats).toBeHidden();
  await page.getByRole('button', { name: 'Your chats' }).click();
  await expect(chats).toBeVisible();
  await expect(chats.getByRole('link', { name: /browser notifications/ })).toBeVisible();
  await snap(page, 'assistant-chats-375');
  await chats.getByRole('button', { name: 'New chat' }).click();
  await expect(page).toHaveURL('/assistant');
  await expect(chats).toBeHidden();
  await expect(page.getByRole('heading', { name: 'Ask the assistant' })).toBeVisible();
});
