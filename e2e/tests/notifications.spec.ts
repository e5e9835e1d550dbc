import { expect, test } from '../support/fixtures';
import { expectMessageOnce, expectSameDocument, markDocument, snap } from '../support/ui';

test('a reply while the user is elsewhere shows a toast and live unread counts, and the toast opens the conversation', async ({
  page,
  context,
  baseURL,
  admin,
  signUp,
}) => {
  await context.grantPermissions(['notifications'], { origin: baseURL });
  const { api } = await signUp('Tess Toast');
  const { conversation } = await api.openConversation('Password reset mail never arrives', 'I requested it three times.');

  await page.goto('/');
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link', { name: 'Support', exact: true })).toBeVisible();
  const toasts = page.getByRole('region', { name: 'Message notifications' });
  await expect(toasts.getByRole('listitem')).toHaveCount(0);
  await expect(page).toHaveTitle(/^(?!\(\d)/);
  await markDocument(page);

  await admin.reply(conversation.id, 'It was stuck in our mail queue; I sent it again.');

  // Live, without a reload: one toast naming the admin, the badge beside Support and the tab title.
  const toast = toasts.getByRole('listitem');
  await expect(toast).toHaveCount(1);
  const open = toast.getByRole('link', { name: new RegExp(`^New message from ${admin.credentials.name}`) });
  await expect(open).toContainText('It was stuck in our mail queue; I sent it again.');
  await expect(toast.getByRole('button', { name: `Dismiss: New message from ${admin.credentials.name}` })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Support (1 unread)' })).toBeVisible();
  await expect(page).toHaveTitle(/^\(1\) /);
  await expectSameDocument(page);
  await snap(page, 'toast');

  // A second reply counts up the same way.
  await admin.reply(conversation.id, 'Please check your spam folder too.');
  await expect(nav.getByRole('link', { name: 'Support (2 unread)' })).toBeVisible();
  await expect(page).toHaveTitle(/^\(2\) /);
  await expect(toast).toHaveCount(1);
  await expect(toast.getByRole('link', { name: new RegExp(`^2 new messages from ${admin.credentials.name}`) })).toBeVisible();

  // The toast opens the conversation, which reads both: the counts go and the toast with them.
  await toast.getByRole('link').click();
  await expect(page).toHaveURL(`/support/${conversation.id}`);
  await expectMessageOnce(page, 'Please check your spam folder too.');
  await expect(toasts.getByRole('listitem')).toHaveCount(0);
  await expect(nav.getByRole('link', { name: 'Support', exact: true })).toBeVisible();
  await expect(page).toHaveTitle(/^(?!\(\d)/);
  await expectSameDocument(page);
});
