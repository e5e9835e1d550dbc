import { expect, test } from '../support/fixtures';
import { expectConnection, expectMessageOnce, expectThread, sendFromComposer } from '../support/ui';

test('after a server restart mid-conversation the connection comes back and every message shows exactly once', async ({
  page,
  server,
  admin,
  signUp,
  consoleGuard,
}) => {
  const { api } = await signUp('Rita Restart');
  const { conversation } = await api.openConversation('Order stuck', 'My order has been pending for a week.');
  const id = conversation.id;

  await page.goto(`/support/${id}`);
  await expectConnection(page, 'Connected');
  await admin.reply(id, 'Looking into it now.');
  await expectMessageOnce(page, 'Looking into it now.');
  const adminPage = await admin.openConversation(id);

  // Chrome logs each refused connection attempt while the server is down; nothing else may be logged.
  await consoleGuard.whileServerIsDown(server.baseURL, async () => {
    await server.stop();
    await expectConnection(page, 'Reconnecting…');
    await expectConnection(adminPage, 'Reconnecting…');

    // Both sides write while the server is down: the messages wait in their outboxes.
    await sendFromComposer(page, 'Are you still there?');
    await expectMessageOnce(page, 'Are you still there?', 'Waiting for connection');
    await admin.reply(id, 'Found it: the warehouse lost the label.', { queued: true });

    await server.startAgain();
    // Straight after the restart, while the pages are still backing off, the admin answers over REST.
    await admin.replyThroughApi(id, 'A new label is printed; it ships today.');

    await expectConnection(page, 'Connected');
    await expectConnection(adminPage, 'Connected');
  });
  await admin.expectReplyStored(id, 'Found it: the warehouse lost the label.');
  // The admin's page is open at the newest message, so the user's queued message is read there.
  await expectMessageOnce(page, 'Are you still there?', 'Read');

  // And live delivery works on the new connection.
  await admin.reply(id, 'Tracking number: 1Z999AA10123456784.');

  const stored = (await admin.conversation(id)).messages.map((m) => m.content);
  expect(stored).toHaveLength(6);
  expect(new Set(stored).size).toBe(6);
  expect(stored).toEqual(
    expect.arrayContaining([
      'My order has been pending for a week.',
      'Looking into it now.',
      'Are you still there?',
      'Found it: the warehouse lost the label.',
      'A new label is printed; it ships today.',
      'Tracking number: 1Z999AA10123456784.',
    ]),
  );
  // Both pages show the stored conversation: every message once, in the stored order.
  await expectThread(page, stored);
  await expectThread(adminPage, stored);
});
