import type { ErrorResponse } from '../support/api';
import { expect, test } from '../support/fixtures';
import { snap } from '../support/ui';

test('turning support chat off hides Support from the user and the API refuses it', async ({ page, admin, signUp }) => {
  const { api } = await signUp('Finn Flag');
  await page.goto('/');
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link', { name: 'Support' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Contact support' })).toBeVisible();

  await admin.setFeature('support_chat', false);

  // The open page learns it without a reload (the server closes its socket: "turned off").
  await expect(nav.getByRole('link', { name: 'Support' })).toHaveCount(0);
  await expect(page.getByText("Support chat isn't available for your account right now.")).toBeVisible();
  await expect(page.getByRole('link', { name: 'Contact support' })).toHaveCount(0);

  await page.goto('/support');
  await expect(page.getByRole('heading', { name: 'Support chat is turned off' })).toBeVisible();
  await snap(page, 'support-turned-off');

  const res = await api.send('GET', '/api/support-chat/conversations');
  expect(res.status()).toBe(403);
  expect(((await res.json()) as ErrorResponse).error.code).toBe('feature_disabled');

  // On again: Support is back on the next load.
  await admin.setFeature('support_chat', true);
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Support', exact: true })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Support' })).toBeVisible();
  expect((await api.send('GET', '/api/support-chat/conversations')).status()).toBe(200);
});
