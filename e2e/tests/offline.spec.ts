import { expect, test } from '../support/fixtures';
import { expectConnection, expectMessageOnce, sendFromComposer } from '../support/ui';

test('a message written offline waits in the outbox and is delivered exactly once when the network is back', async ({
  page,
  context,
  admin,
  signUp,
}) => {
  const { api } = await signUp('Olga Offline');
  const { conversation } = await api.openConversation('Train wifi', 'Hello from the train.');
  const id = conversation.id;
  const text = 'Tunnel ahead: this one is written offline.';

  await page.goto(`/support/${id}`);
  await expectConnection(page, 'Connected');

  await context.setOffline(true);
  await expectConnection(page, 'Offline');
  await sendFromComposer(page, text);
  await expectMessageOnce(page, text, 'Waiting for connection');
  await expect(page.getByText('Not connected. Your messages will be sent when the connection is back.')).toBeVisible();
  expect(await admin.storedCount(id, text)).toBe(0);

  await context.setOffline(false);
  await expectConnection(page, 'Connected');
  await expectMessageOnce(page, text, 'Delivered');
  await expect(page.getByText('Not connected. Your messages will be sent when the connection is back.')).toHaveCount(0);
  expect(await admin.storedCount(id, text)).toBe(1);

  // A fresh load shows what is stored: still once.
  await page.reload();
  await expectMessageOnce(page, text, 'Delivered');
  expect(await admin.storedCount(id, text)).toBe(1);
});
