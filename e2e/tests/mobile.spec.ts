import { expect, test } from '../support/fixtures';
import {
  conversationIdFrom,
  expectMessageOnce,
  scrollsSideways,
  sendFromComposer,
  snap,
} from '../support/ui';

test.use({ viewport: { width: 375, height: 812 }, hasTouch: true });

test('on a 375 px phone screen a user starts a conversation, writes, and sees the reply', async ({
  page,
  admin,
  signUp,
}) => {
  const { account } = await signUp('Mia Mobile');
  await page.goto('/');
  await expect(page.getByRole('heading', { name: `Hello, ${account.name}` })).toBeVisible();
  expect(await scrollsSideways(page)).toBe(false);
  await snap(page, 'home-375');

  await page.getByRole('link', { name: 'Contact support' }).click();
  await expect(page.getByRole('heading', { name: 'New conversation' })).toBeVisible();
  await page.getByLabel('Subject').fill('App crashes on my phone');
  await page.getByLabel('Message', { exact: true }).fill('It closes when I open settings.');
  expect(await scrollsSideways(page)).toBe(false);
  await snap(page, 'new-conversation-375');
  await page.getByRole('button', { name: 'Start conversation' }).click();

  await expect(page).toHaveURL(/\/support\/\d+$/);
  const id = conversationIdFrom(page);
  await expectMessageOnce(page, 'It closes when I open settings.', 'Delivered');
  await sendFromComposer(page, 'I am on version 4.2.');
  await expectMessageOnce(page, 'I am on version 4.2.', 'Delivered');

  await admin.reply(id, 'Thanks! Version 4.3 fixes it; please update.');
  await expectMessageOnce(page, 'Thanks! Version 4.3 fixes it; please update.');
  await expect(page.getByRole('textbox', { name: 'Message' })).toBeInViewport();
  expect(await scrollsSideways(page)).toBe(false);
  await snap(page, 'thread-375');

  await page.getByRole('link', { name: 'All conversations' }).click();
  await expect(page.getByRole('link', { name: /App crashes on my phone/ })).toBeVisible();
  expect(await scrollsSideways(page)).toBe(false);
  await snap(page, 'support-list-375');
});
