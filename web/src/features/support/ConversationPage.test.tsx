import { act, cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { FakeSocket } from '../../realtime/fakeSocket';
import { ConversationPage } from './ConversationPage';
import { conversation, fakeServer, json, message, renderWithApp } from './testUtils';

afterEach(cleanup);

const ADA = { id: 1, name: 'Ada' };
const fromAda = (id: number, content: string) =>
  message({ id, content, senderId: ADA.id, senderType: 'admin', senderName: ADA.name });

const routes = [{ path: '/support/:id', element: <ConversationPage /> }];

function serverWith(messages = [message({ id: 1, content: 'The export button does nothing' }), fromAda(2, 'Looking into it')]) {
  return fakeServer({
    'GET /api/support-chat/conversations/7': () =>
      json({ conversation: conversation({ admin: ADA, lastMessageId: messages.at(-1)?.id ?? null }), messages, hasMore: false }),
  });
}

/** Renders `/support/7`, connects the fake socket and lets the server confirm the join. */
async function openConversation(options: { connect?: boolean } = {}) {
  const { api, requests } = serverWith();
  const app = renderWithApp({ path: '/support/7', routes, api });
  await screen.findByText('Looking into it');
  let socket: FakeSocket | null = null;
  if (options.connect !== false) {
    act(() => {
      app.client.start();
      socket = app.sockets.latest();
      socket.open();
    });
  }
  return { ...app, requests, socket: socket as FakeSocket | null };
}

function log() {
  return screen.getByRole('log', { name: 'Messages' });
}

function lastMessageText() {
  const items = within(log()).getAllByRole('listitem');
  return items.at(-1)?.textContent ?? '';
}

describe('ConversationPage', () => {
  it('shows the thread oldest first with sender names, and joins it from the newest message', async () => {
    const { socket } = await openConversation();

    expect(screen.getByRole('heading', { name: 'Cannot export invoices' })).toBeTruthy();
    expect(screen.getByText('Ada is helping you')).toBeTruthy();
    const items = within(log()).getAllByRole('listitem').map((li) => li.textContent);
    expect(items[0]).toContain('You');
    expect(items[0]).toContain('The export button does nothing');
    expect(items[1]).toContain('Ada');
    expect(items[1]).toContain('Looking into it');
    expect(socket?.framesOfType('join_conversation')).toEqual([
      { type: 'join_conversation', conversationId: 7, data: { sinceMessageId: 2 } },
    ]);
    expect(screen.getByText('Connected')).toBeTruthy();
  });

  it('shows live messages once, even when the same one arrives twice', async () => {
    const { socket } = await openConversation();
    act(() => {
      socket?.receive({ type: 'joined', conversationId: 7, data: { lastMessageId: 2 } });
      socket?.receive({ type: 'message', conversationId: 7, data: fromAda(3, 'Found the bug') });
      socket?.receive({ type: 'message', conversationId: 7, data: fromAda(3, 'Found the bug') });
    });
    expect(screen.getAllByText('Found the bug')).toHaveLength(1);
  });

  it('sends with Enter and shows the message going from sent to delivered to read', async () => {
    const { socket } = await openConversation();
    act(() => {
      socket?.receive({ type: 'joined', conversationId: 7, data: { lastMessageId: 2 } });
    });
    const box = screen.getByRole('textbox', { name: 'Message' });

    fireEvent.change(box, { target: { value: '  It is invoice 114  ' } });
    fireEvent.keyDown(box, { key: 'Enter' });

    expect((box as HTMLTextAreaElement).value).toBe('');
    const sent = socket?.framesOfType('message') ?? [];
    expect(sent.map((f) => f.data.content)).toEqual(['It is invoice 114']);
    expect(lastMessageText()).toContain('Sent');

    const clientMessageId = sent[0]?.data.clientMessageId ?? '';
    act(() => {
      socket?.receive({ type: 'ack', conversationId: 7, data: { clientMessageId, messageId: 3, seq: 3 } });
    });
    expect(lastMessageText()).toContain('Delivered');

    act(() => {
      socket?.receive({ type: 'read_receipt', conversationId: 7, data: { userId: ADA.id, messageId: 3 } });
    });
    expect(lastMessageText()).toContain('Read');
    expect(screen.getAllByText('It is invoice 114')).toHaveLength(1);
  });

  it('keeps Shift+Enter as a new line instead of sending', async () => {
    const { socket } = await openConversation();
    const box = screen.getByRole('textbox', { name: 'Message' });
    fireEvent.change(box, { target: { value: 'first line' } });
    fireEvent.keyDown(box, { key: 'Enter', shiftKey: true });
    expect((box as HTMLTextAreaElement).value).toBe('first line');
    expect(socket?.framesOfType('message')).toEqual([]);
  });

  it('queues a message written while disconnected and sends it after reconnecting', async () => {
    const { client, sockets } = await openConversation({ connect: false });
    const box = screen.getByRole('textbox', { name: 'Message' });
    fireEvent.change(box, { target: { value: 'Are you there?' } });
    fireEvent.keyDown(box, { key: 'Enter' });

    expect(lastMessageText()).toContain('Waiting for connection');
    expect(screen.getByText('Not connected. Your messages will be sent when the connection is back.')).toBeTruthy();

    act(() => {
      client.start();
      sockets.latest().open();
      sockets.latest().receive({ type: 'joined', conversationId: 7, data: { lastMessageId: 2 } });
    });
    expect(sockets.latest().framesOfType('message').map((f) => f.data.content)).toEqual(['Are you there?']);
  });

  it('keeps a refused message with its reason, and Retry sends it again with the same id', async () => {
    const { socket } = await openConversation();
    act(() => {
      socket?.receive({ type: 'joined', conversationId: 7, data: { lastMessageId: 2 } });
    });
    const box = screen.getByRole('textbox', { name: 'Message' });
    fireEvent.change(box, { target: { value: 'Hello?' } });
    fireEvent.keyDown(box, { key: 'Enter' });
    const clientMessageId = socket?.framesOfType('message')[0]?.data.clientMessageId ?? '';

    act(() => {
      socket?.receive({
        type: 'error',
        conversationId: 7,
        data: { code: 'not_found', message: 'This conversation is gone.', clientMessageId },
      });
    });
    expect(screen.getByText('This conversation is gone.')).toBeTruthy();
    expect(lastMessageText()).toContain('Not sent');

    fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(socket?.framesOfType('message').map((f) => f.data.clientMessageId)).toEqual([clientMessageId, clientMessageId]);
  });

  it('shows who is typing', async () => {
    const { socket } = await openConversation();
    act(() => {
      socket?.receive({ type: 'typing', conversationId: 7, data: { userId: ADA.id, name: 'Ada', isTyping: true } });
    });
    expect(screen.getByText('Ada is typing…')).toBeTruthy();
  });

  it('sends a read receipt for the newest message from support once joined', async () => {
    const { socket } = await openConversation();
    act(() => {
      socket?.receive({ type: 'joined', conversationId: 7, data: { lastMessageId: 2 } });
    });
    expect(socket?.framesOfType('read_receipt')).toEqual([
      { type: 'read_receipt', conversationId: 7, data: { messageId: 2 } },
    ]);
  });

  it('says so when the conversation is not there', async () => {
    const { api } = fakeServer({});
    renderWithApp({ path: '/support/99', routes, api });
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain("This conversation doesn't exist, or it isn't yours.");
    expect(within(alert).queryByRole('button', { name: 'Try again' })).toBeNull();
  });

  it('refuses a message over the length limit and says why', async () => {
    const { socket } = await openConversation();
    const box = screen.getByRole('textbox', { name: 'Message' });
    fireEvent.change(box, { target: { value: 'x'.repeat(10_001) } });
    expect(screen.getByRole('alert').textContent).toBe('Messages can be at most 10,000 characters (this one has 10,001)');
    expect(screen.getByText('10,001 / 10,000 characters')).toBeTruthy();
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(socket?.framesOfType('message')).toEqual([]);
  });
});
