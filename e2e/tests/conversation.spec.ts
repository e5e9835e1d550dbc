import type { Page } from '@playwright/test';
import { newAccount } from '../support/api';
import { expect, test } from '../support/fixtures';
import { SocketGate } from '../support/socket-gate';
import {
  conversationIdFrom,
  expectConnection,
  expectMessageOnce,
  expectSameDocument,
  markDocument,
  messageLog,
  registerThroughForm,
  sendFromComposer,
  snap,
} from '../support/ui';

test('a user opens a conversation, sees the admin read it, type and reply live, and closes it', async ({
  page,
  admin,
}) => {
  const gate = await SocketGate.install(page);
  const account = newAccount('Uma User');

  await page.goto('/register');
  await registerThroughForm(page, account);
  await expect(page.getByRole('heading', { name: `Hello, ${account.name}` })).toBeVisible();

  await page.getByRole('link', { name: 'Contact support' }).click();
  await expect(page).toHaveURL('/support/new');
  await expect(page.getByRole('heading', { name: 'New conversation' })).toBeVisible();
  await page.getByLabel('Subject').fill('Cannot export my invoices');
  await page.getByLabel('Priority').selectOption({ label: 'High' });
  await page.getByLabel('Message', { exact: true }).fill('The export button spins forever.');
  await snap(page, 'new-conversation');
  await page.getByRole('button', { name: 'Start conversation' }).click();

  await expect(page).toHaveURL(/\/support\/\d+$/);
  const conversationId = conversationIdFrom(page);
  await expect(page.getByRole('heading', { name: 'Cannot export my invoices' })).toBeVisible();
  await expect(page.getByText('High priority')).toBeVisible();
  await expectConnection(page, 'Connected');
  await expectMessageOnce(page, 'The export button spins forever.', 'Delivered');
  await markDocument(page);

  // Sent → delivered: once the page has joined the conversation (messages go out only then), the
  // server's acknowledgement is held back for a moment to see "Sent".
  await gate.joined(conversationId);
  gate.hold();
  await sendFromComposer(page, 'It happens in every browser.');
  await expectMessageOnce(page, 'It happens in every browser.', 'Sent');
  gate.release();
  await expectMessageOnce(page, 'It happens in every browser.', 'Delivered');

  // The admin opens the conversation: the user's messages turn "Read".
  await admin.readConversation(conversationId);
  await expectMessageOnce(page, 'It happens in every browser.', 'Read');
  const stored = await admin.conversation(conversationId);
  expect(stored.messages.map((m) => m.readAt !== null && m.readAt !== undefined)).toEqual([true, true]);

  // The admin types: the user sees it.
  await admin.startTyping(conversationId, 'Let me check');
  await expect(page.getByText(`${admin.credentials.name} is typing…`)).toBeVisible();

  // The admin replies: it appears live, once, and the typing line goes.
  await admin.reply(conversationId, 'Thanks, I can reproduce it. A fix is on its way.');
  await expectMessageOnce(page, 'Thanks, I can reproduce it. A fix is on its way.');
  await expect(messageItems(page)).toHaveCount(3);
  await expect(page.getByText(`${admin.credentials.name} is typing…`)).toHaveCount(0);
  await expectSameDocument(page);
  await snap(page, 'thread');

  // The user closes the conversation.
  await page.getByRole('button', { name: 'Close conversation' }).click();
  await expect(page.getByText('This conversation is closed. Sending a message reopens it.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Reopen' })).toBeVisible();
  expect((await admin.conversation(conversationId)).conversation.status).toBe('closed');

  await page.getByRole('link', { name: 'All conversations' }).click();
  await expect(page).toHaveURL('/support');
  const row = page.getByRole('link', { name: /Cannot export my invoices/ });
  await expect(row).toBeVisible();
  await expect(row).toContainText('Closed');
  await snap(page, 'support-list');
});

/** Every message entry of the thread. */
function messageItems(page: Page) {
  return messageLog(page).getByRole('listitem');
}
