import { expect, test } from '../support/fixtures';
import {
  conversationIdFrom,
  expectConnection,
  expectMessageOnce,
  expectSameDocument,
  markDocument,
  messageLog,
  sendFromComposer,
  snap,
} from '../support/ui';

test('a new conversation shows up in the open queue live, and the admin takes it, answers and closes it while the user watches', async ({
  page,
  admin,
  signUp,
}) => {
  // The admin has the queue open before the user writes.
  const queue = await admin.openQueue();
  await expect(queue.getByText('No conversations yet')).toBeVisible();
  await markDocument(queue);

  const { account } = await signUp('Quinn Queue');
  await page.goto('/support/new');
  await page.getByLabel('Subject').fill('Refund for a double charge');
  await page.getByLabel('Message', { exact: true }).fill('I was charged twice for March.');
  await page.getByRole('button', { name: 'Start conversation' }).click();
  await expect(page).toHaveURL(/\/support\/\d+$/);
  const id = conversationIdFrom(page);
  await expectConnection(page, 'Connected');
  await expectMessageOnce(page, 'I was charged twice for March.', 'Delivered');

  // Live in the queue, without a reload: the subject, who wrote, the message and that it is unread.
  const row = await admin.queueRow('Refund for a double charge');
  await expect(row).toBeVisible();
  await expect(row).toContainText(account.name);
  await expect(row).toContainText('I was charged twice for March.');
  await expect(row).toContainText('1 unread');
  await expect(row).toContainText('Open');
  await expectSameDocument(queue);
  await snap(queue, 'admin-queue');

  // The admin opens it from the queue and takes it: the user's message turns "Read".
  const desk = await admin.openConversation(id);
  await expectSameDocument(desk);
  await admin.assignToMe(id);
  await expectMessageOnce(desk, 'I was charged twice for March.');
  await expectMessageOnce(page, 'I was charged twice for March.', 'Read');

  // The admin answers: the user sees it live, and the user's open page reads it at once.
  await admin.reply(id, 'Sorry about that. I have refunded the second charge.');
  await expectMessageOnce(page, 'Sorry about that. I have refunded the second charge.');
  await expectMessageOnce(desk, 'Sorry about that. I have refunded the second charge.', 'Read');

  // The user types: the admin sees it; then sends, and the admin gets the message live.
  const userBox = page.getByRole('textbox', { name: 'Message' });
  await userBox.pressSequentially('Thank you');
  await expect(desk.getByText(`${account.name} is typing…`)).toBeVisible();
  await sendFromComposer(page, 'Thank you, when will I see it?');
  await expectMessageOnce(desk, 'Thank you, when will I see it?');
  await expect(desk.getByText(`${account.name} is typing…`)).toHaveCount(0);

  // The admin types: the user sees it; the reply replaces the typing line.
  await admin.startTyping(id, 'Within');
  await expect(page.getByText(`${admin.credentials.name} is typing…`)).toBeVisible();
  await admin.reply(id, 'Within five working days.');
  await expectMessageOnce(page, 'Within five working days.');
  await expect(page.getByText(`${admin.credentials.name} is typing…`)).toHaveCount(0);
  await expect(messageLog(page).getByRole('listitem')).toHaveCount(4);
  await snap(desk, 'admin-conversation');

  // The admin closes it: the user's open page says so, live.
  await admin.setStatus(id, 'Closed');
  await expect(page.getByText('This conversation is closed. Sending a message reopens it.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Reopen' })).toBeVisible();
  expect((await admin.conversation(id)).conversation.status).toBe('closed');

  // Back in the queue (same document all along), the row shows it closed and assigned to the admin.
  await desk.getByRole('link', { name: 'Back to the queue' }).click();
  await expect(desk).toHaveURL('/admin/support');
  await expect(row).toContainText('Closed');
  await expect(row.getByRole('button', { name: 'Reopen' })).toBeVisible();
  await expect(row.getByRole('combobox', { name: 'Assignee' }).locator('option:checked')).toHaveText(
    `${admin.credentials.name} (you)`,
  );
  await expectSameDocument(desk);
});

test('an admin closes two conversations at once from the queue, and the user sees both closed', async ({
  page,
  admin,
  signUp,
}) => {
  const { api } = await signUp('Bea Bulk');
  const first = await api.openConversation('Cannot log in on the tablet', 'It says my password is wrong.');
  const second = await api.openConversation('Invoice address is outdated', 'We moved to Main Street 5.');
  const third = await api.openConversation('Dark mode request', 'Please add a dark mode.');

  await page.goto('/support');
  const list = page.getByRole('main');
  for (const subject of ['Cannot log in on the tablet', 'Invoice address is outdated', 'Dark mode request']) {
    await expect(list.getByRole('link', { name: new RegExp(subject) })).toContainText('Open');
  }

  const queue = await admin.openQueue();
  await admin.closeSelected(['Cannot log in on the tablet', 'Invoice address is outdated']);
  await snap(queue, 'admin-queue-bulk-closed');

  // In the queue: the two are closed, the third untouched, nothing is left selected.
  for (const subject of ['Cannot log in on the tablet', 'Invoice address is outdated']) {
    const row = await admin.queueRow(subject);
    await expect(row).toContainText('Closed');
    await expect(row.getByRole('button', { name: 'Reopen' })).toBeVisible();
    await expect(row.getByRole('checkbox')).not.toBeChecked();
  }
  const untouched = await admin.queueRow('Dark mode request');
  await expect(untouched.getByRole('button', { name: 'Close', exact: true })).toBeVisible();
  await expect(queue.getByRole('group', { name: 'Bulk actions' })).toContainText('Nothing selected');

  // Stored, and the user's open list shows it.
  expect((await admin.conversation(first.conversation.id)).conversation.status).toBe('closed');
  expect((await admin.conversation(second.conversation.id)).conversation.status).toBe('closed');
  expect((await admin.conversation(third.conversation.id)).conversation.status).toBe('open');
  await expect(list.getByRole('link', { name: /Cannot log in on the tablet/ })).toContainText('Closed');
  await expect(list.getByRole('link', { name: /Invoice address is outdated/ })).toContainText('Closed');
  await expect(list.getByRole('link', { name: /Dark mode request/ })).toContainText('Open');
});

test('the admin pages show the dashboard, the queue and the feature flags', async ({ admin, signUp }) => {
  const { api } = await signUp('Sam Screens');
  await api.openConversation('Export to CSV fails', 'The file is empty.', 'urgent');
  await api.openConversation('How do I change my email?', 'I have a new address.', 'low');

  const page = await admin.browserPage();
  await page.goto('/admin');
  await expect(page.getByRole('heading', { name: 'Admin', level: 1 })).toBeVisible();
  await snap(page, 'admin-dashboard');

  await admin.openQueue();
  await expect(await admin.queueRow('Export to CSV fails')).toBeVisible();
  await expect(await admin.queueRow('How do I change my email?')).toBeVisible();

  await page.goto('/admin/features');
  await expect(page.getByRole('heading', { name: 'Feature flags' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Support Chat' }).getByRole('switch', { name: 'Enabled' })).toBeChecked();
  await snap(page, 'admin-features');
});
