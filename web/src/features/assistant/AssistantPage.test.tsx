import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { AssistantTurn } from '../../api/assistant';
import { conversation, fakeServer, json, message, renderWithApp } from '../support/testUtils';
import { AssistantPage } from './AssistantPage';
import { FALLBACK_NOTE } from './AssistantThread';
import { answer, decision, done, session, sse, sseResponse, turn } from './testData';

afterEach(cleanup);

const routes = [
  { path: '/assistant/:sessionId?', element: <AssistantPage /> },
  { path: '/support/new', element: <p>New support conversation page</p> },
  { path: '/support/:id', element: <p>Support conversation page</p> },
  { path: '/help/articles/:id', element: <p>Article page</p> },
];

const SOURCE = { articleId: 1, slug: 'account-security', title: 'Keeping your account safe' };
const Q = turn({ id: 3, content: 'How do I reset my password?' });
const A = answer({ id: 4, content: 'From "Keeping your account safe":\n\nUse the reset link.', sources: [SOURCE] });

function ask(text: string) {
  const box = screen.getByRole('textbox', { name: 'Question' });
  fireEvent.change(box, { target: { value: text } });
  fireEvent.keyDown(box, { key: 'Enter' });
}

const log = () => screen.getByRole('log', { name: 'Assistant chat' });

describe('AssistantPage', () => {
  it('makes a new chat on the first question and streams the answer in, with its source', async () => {
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const { api, requests } = fakeServer({
      'GET /api/assistant/sessions': () => json({ sessions: [] }),
      'POST /api/assistant/sessions': () => json(session({ id: 5, title: 'New chat' }), 201),
      'GET /api/assistant/sessions/5': () => json({ session: session({ id: 5 }), turns: [Q, A] }),
      'POST /api/assistant/sessions/5/messages': () =>
        sseResponse([sse('question', Q) + sse('delta', { text: 'From "Keeping your account safe":' }), sse('delta', { text: '\n\nUse the reset link.' }), sse('done', done(A))], { gate }),
    });
    const { router } = renderWithApp({ path: '/assistant', routes, api });
    expect(await screen.findByRole('heading', { name: 'Ask the assistant' })).toBeTruthy();
    expect(await screen.findByText(/No chats yet/)).toBeTruthy();

    ask('How do I reset my password?');

    // Half-way: the question and the first piece of the answer, still being written.
    expect(await within(log()).findByText('From "Keeping your account safe":')).toBeTruthy();
    expect(within(log()).getByText('How do I reset my password?')).toBeTruthy();
    expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Ask' }).disabled).toBe(true);
    await waitFor(() => { expect(router.state.location.pathname).toBe('/assistant/5'); });

    open();
    const link = await within(log()).findByRole('link', { name: 'Keeping your account safe' });
    expect(link.getAttribute('href')).toBe('/help/articles/1');
    expect(within(log()).getByText(/Use the reset link\./)).toBeTruthy();
    expect(requests.find((r) => r.method === 'POST' && r.url.pathname.endsWith('/messages'))?.body).toEqual({
      content: 'How do I reset my password?',
    });
    // The same chat stayed on screen while its address changed: the question shows once.
    expect(within(log()).getAllByText('How do I reset my password?')).toHaveLength(1);
  });

  it('says plainly when the built-in answerer stood in for the AI model', async () => {
    const fallback = answer({ id: 4, content: 'Use the reset link.', answeredBy: 'fallback', sources: [SOURCE] });
    const { api } = fakeServer({
      'GET /api/assistant/sessions': () => json({ sessions: [session({ id: 5 })] }),
      'GET /api/assistant/sessions/5': () => json({ session: session({ id: 5 }), turns: [Q, fallback] }),
    });
    renderWithApp({ path: '/assistant/5', routes, api });
    expect(await screen.findByText(FALLBACK_NOTE)).toBeTruthy();
    expect(within(screen.getByRole('navigation', { name: 'Assistant chats' })).getByRole('link', { name: /How do I reset my password/ })).toBeTruthy();
  });

  it('hands the chat to a person and opens the support conversation it became', async () => {
    const { api, requests } = fakeServer({
      'GET /api/assistant/sessions': () => json({ sessions: [session({ id: 5 })] }),
      'GET /api/assistant/sessions/5': () => json({ session: session({ id: 5 }), turns: [Q, A] }),
      'POST /api/assistant/sessions/5/handoff': () =>
        json(
          {
            conversation: conversation({ id: 9, type: 'ai_handoff' }),
            message: message({ id: 1, conversationId: 9, messageType: 'handoff', content: 'Handed over from the AI assistant.' }),
            context: { aiChatHistory: [], userIntent: 'How-to', urgency: 'normal', category: 'technical', summary: 'Reset' },
          },
          201,
        ),
    });
    const { router } = renderWithApp({ path: '/assistant/5', routes, api, features: { support_chat: true, ai_handoff: true } });
    await screen.findByText(/Use the reset link/);
    fireEvent.click(screen.getByRole('button', { name: 'Talk to a human' }));
    await screen.findByText('Support conversation page');
    expect(router.state.location.pathname).toBe('/support/9');
    expect(requests.some((r) => r.method === 'POST' && r.url.pathname === '/api/assistant/sessions/5/handoff')).toBe(true);
  });

  it('opens a new support conversation instead when hand-offs are off for the person', async () => {
    const { api, requests } = fakeServer({
      'GET /api/assistant/sessions': () => json({ sessions: [session({ id: 5 })] }),
      'GET /api/assistant/sessions/5': () => json({ session: session({ id: 5 }), turns: [Q, A] }),
    });
    const { router } = renderWithApp({ path: '/assistant/5', routes, api, features: { support_chat: true, ai_handoff: false } });
    await screen.findByText(/Use the reset link/);
    fireEvent.click(screen.getByRole('button', { name: 'Talk to a human' }));
    await screen.findByText('New support conversation page');
    expect(router.state.location.pathname).toBe('/support/new');
    expect(requests.some((r) => r.url.pathname.endsWith('/handoff'))).toBe(false);
  });

  it('opens a new support conversation when the server says hand-offs are off (403)', async () => {
    const { api } = fakeServer({
      'GET /api/assistant/sessions': () => json({ sessions: [session({ id: 5 })] }),
      'GET /api/assistant/sessions/5': () => json({ session: session({ id: 5 }), turns: [Q, A] }),
      'POST /api/assistant/sessions/5/handoff': () =>
        json({ error: { code: 'feature_disabled', message: "The feature 'ai_handoff' is turned off." } }, 403),
    });
    const { router } = renderWithApp({ path: '/assistant/5', routes, api });
    await screen.findByText(/Use the reset link/);
    fireEvent.click(screen.getByRole('button', { name: 'Talk to a human' }));
    await screen.findByText('New support conversation page');
    expect(router.state.location.pathname).toBe('/support/new');
  });

  it('leads a new chat with nothing asked yet straight to a new support conversation', async () => {
    const { api, requests } = fakeServer({ 'GET /api/assistant/sessions': () => json({ sessions: [] }) });
    const { router } = renderWithApp({ path: '/assistant', routes, api, features: { support_chat: true, ai_handoff: true } });
    fireEvent.click(await screen.findByRole('button', { name: 'Talk to a human' }));
    await screen.findByText('New support conversation page');
    expect(router.state.location.pathname).toBe('/support/new');
    expect(requests.filter((r) => r.method === 'POST')).toEqual([]);
  });

  it('suggests a person when the decision says so', async () => {
    const { api } = fakeServer({
      'GET /api/assistant/sessions': () => json({ sessions: [session({ id: 5 })] }),
      'GET /api/assistant/sessions/5': () => json({ session: session({ id: 5 }), turns: [] }),
      'POST /api/assistant/sessions/5/messages': () => {
        const q = turn({ id: 3, content: 'I was charged twice' });
        const a = answer({ id: 4, content: "I'm sorry, I couldn't find an answer to that." });
        return sseResponse([
          sse('question', q),
          sse('delta', { text: a.content }),
          sse('done', done(a, { decision: decision({ handoff: true, category: 'billing', urgency: 'high' }) })),
        ]);
      },
    });
    renderWithApp({ path: '/assistant/5', routes, api });
    await screen.findByRole('heading', { name: 'Ask the assistant' });
    ask('I was charged twice');
    expect(await screen.findByText(/A person from our support team can help with this/)).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Talk to a person now' })).toBeTruthy();
  });

  it('shows a stream that breaks mid-way as an error with Retry, and Retry shows the answer the server kept', async () => {
    let stored: AssistantTurn[] = [];
    let asks = 0;
    const { api } = fakeServer({
      'GET /api/assistant/sessions': () => json({ sessions: [session({ id: 5 })] }),
      'GET /api/assistant/sessions/5': () => json({ session: session({ id: 5 }), turns: stored }),
      'POST /api/assistant/sessions/5/messages': () => {
        asks += 1;
        // The server stores the question and the answer; only the connection breaks.
        stored = [Q, A];
        return sseResponse([sse('question', Q), sse('delta', { text: 'From "Keep' })], { breakAfter: true });
      },
    });
    renderWithApp({ path: '/assistant/5', routes, api });
    await screen.findByRole('heading', { name: 'Ask the assistant' });
    ask('How do I reset my password?');

    const alert = await within(log()).findByRole('alert');
    expect(alert.textContent).toContain('The connection broke while the answer was arriving.');
    expect(within(log()).getByText('How do I reset my password?')).toBeTruthy();

    fireEvent.click(within(alert).getByRole('button', { name: 'Retry' }));
    expect(await within(log()).findByRole('link', { name: 'Keeping your account safe' })).toBeTruthy();
    expect(asks).toBe(1);
    expect(within(log()).queryByRole('alert')).toBeNull();
  });

  it('asks again on Retry when the question never reached the server', async () => {
    let asks = 0;
    const { api } = fakeServer({
      'GET /api/assistant/sessions': () => json({ sessions: [session({ id: 5 })] }),
      'GET /api/assistant/sessions/5': () => json({ session: session({ id: 5 }), turns: [] }),
      'POST /api/assistant/sessions/5/messages': () => {
        asks += 1;
        if (asks === 1) return json({ error: { code: 'rate_limited', message: 'Slow down' } }, 429);
        return sseResponse([sse('question', Q), sse('delta', { text: A.content }), sse('done', done(A))]);
      },
    });
    renderWithApp({ path: '/assistant/5', routes, api });
    await screen.findByRole('heading', { name: 'Ask the assistant' });
    ask('How do I reset my password?');
    const alert = await within(log()).findByRole('alert');
    expect(alert.textContent).toContain('You are asking too quickly.');
    fireEvent.click(within(alert).getByRole('button', { name: 'Retry' }));
    expect(await within(log()).findByRole('link', { name: 'Keeping your account safe' })).toBeTruthy();
    expect(asks).toBe(2);
  });

  it('opens the chat list from its button (narrow screens) and closes it with Escape, keeping the focus in place', async () => {
    const { api } = fakeServer({ 'GET /api/assistant/sessions': () => json({ sessions: [session({ id: 5 })] }) });
    renderWithApp({ path: '/assistant', routes, api });
    const toggle = await screen.findByRole('button', { name: 'Your chats' });
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    fireEvent.click(toggle);
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'New chat' }));
    fireEvent.keyDown(screen.getByRole('button', { name: 'New chat' }), { key: 'Escape' });
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    expect(document.activeElement).toBe(toggle);
  });

  it('says when a chat cannot be found', async () => {
    const { api } = fakeServer({ 'GET /api/assistant/sessions': () => json({ sessions: [] }) });
    renderWithApp({ path: '/assistant/77', routes, api });
    expect(await screen.findByRole('heading', { name: "Couldn't open this chat" })).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Start a new chat' })).toBeTruthy();
  });
});
