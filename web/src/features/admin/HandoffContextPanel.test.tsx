import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { HandoffContext } from '../../api/assistant';
import type { Conversation } from '../../api/support';
import { conversation, fakeServer, json, message, renderWithApp } from '../support/testUtils';
import { AdminConversationPage } from './AdminConversationPage';
import { parseHandoffContext } from './handoffContext';
import { HandoffContextPanel } from './HandoffContextPanel';
import { ADA } from './testData';

afterEach(cleanup);

const CONTEXT: HandoffContext = {
  aiChatHistory: [
    { role: 'user', content: 'The CSV export is missing half the rows.' },
    { role: 'assistant', content: "I'm sorry, I couldn't find an answer to that." },
    { role: 'user', content: 'Can I talk to a human?' },
  ],
  userIntent: 'Reports a problem: The CSV export is missing half the rows.',
  urgency: 'high',
  category: 'bug',
  summary: 'The CSV export is missing half the rows.',
  reasons: [
    { code: 'explicit_request', message: 'Asked for a person: “Can I talk to a human?”' },
    { code: 'malfunction', message: 'Something is broken: “missing half the rows”' },
  ],
};

describe('HandoffContextPanel', () => {
  it('shows the summary, category, urgency, intent and reasons under its own heading', () => {
    render(<HandoffContextPanel context={CONTEXT} />);
    const panel = screen.getByRole('region', { name: 'Handed over by the AI assistant' });
    expect(within(panel).getAllByText('The CSV export is missing half the rows.')[0]).toBeTruthy();
    expect(within(panel).getByText('Bug')).toBeTruthy();
    expect(within(panel).getByText('High')).toBeTruthy();
    expect(within(panel).getByText('Reports a problem: The CSV export is missing half the rows.')).toBeTruthy();
    expect(within(panel).getByText('Asked for a person')).toBeTruthy();
    expect(within(panel).getByText('Something is broken: “missing half the rows”')).toBeTruthy();
  });

  it("shows the model's summary apart from the user's own words, labelled as the model's", () => {
    const withAi = { ...CONTEXT, aiSummary: 'Exports lose rows; the user wants a person.' };
    render(<HandoffContextPanel context={withAi} />);
    const label = screen.getByText(/AI summary \(written by the model/);
    expect(label.nextElementSibling?.textContent).toBe('Exports lose rows; the user wants a person.');
    expect(screen.getByText("Summary (the user's own words)").nextElementSibling?.textContent).toBe(
      'The CSV export is missing half the rows.',
    );
    expect(parseHandoffContext(withAi)).toEqual(withAi);
  });

  it('has no AI summary section when no model wrote one', () => {
    render(<HandoffContextPanel context={CONTEXT} />);
    expect(screen.queryByText(/AI summary/)).toBeNull();
  });

  it('keeps the transcript folded until it is opened, then shows every turn in order', () => {
    render(<HandoffContextPanel context={CONTEXT} />);
    const details = screen.getByText('Assistant transcript (3 messages)').closest('details');
    expect(details?.open).toBe(false);
    fireEvent.click(screen.getByText('Assistant transcript (3 messages)'));
    expect(details?.open).toBe(true);
    const turns = within(screen.getByRole('list', { name: 'Assistant transcript' })).getAllByRole('listitem');
    expect(turns.map((t) => t.textContent)).toEqual([
      'UserThe CSV export is missing half the rows.',
      "AssistantI'm sorry, I couldn't find an answer to that.",
      'UserCan I talk to a human?',
    ]);
  });
});

describe('parseHandoffContext', () => {
  it('reads a stored context and leaves out what it does not understand', () => {
    expect(parseHandoffContext(CONTEXT)).toEqual(CONTEXT);
    const odd = parseHandoffContext({
      ...CONTEXT,
      reasons: [{ code: 'future_reason', message: 'x' }, CONTEXT.reasons?.[0]],
      aiChatHistory: [{ role: 'system', content: 'x' }, { role: 'user' }, CONTEXT.aiChatHistory[0]],
    });
    expect(odd?.reasons).toEqual([CONTEXT.reasons?.[0]]);
    expect(odd?.aiChatHistory).toEqual([CONTEXT.aiChatHistory[0]]);
  });

  it('gives null for anything that is not a hand-off context', () => {
    expect(parseHandoffContext(null)).toBeNull();
    expect(parseHandoffContext({ note: 'imported' })).toBeNull();
    expect(parseHandoffContext({ ...CONTEXT, urgency: 'whenever' })).toBeNull();
  });
});

describe('AdminConversationPage with an AI hand-off', () => {
  function open(type: 'ai_handoff' | 'support', context: unknown) {
    const { api } = fakeServer({
      'GET /api/support-chat/conversations/7': () =>
        json({
          conversation: conversation({ id: 7, subject: 'Assistant hand-off: CSV export', type, context: context as Conversation['context'] }),
          messages: [message({ id: 1, messageType: 'handoff', senderType: 'system', content: 'Handed over from the AI assistant.' })],
          hasMore: false,
        }),
      'GET /api/support-chat/admin/admins': () => json({ admins: [ADA] }),
    });
    return renderWithApp({
      path: '/admin/support/7',
      routes: [{ path: '/admin/support/:id', element: <AdminConversationPage /> }],
      api,
      user: ADA,
    });
  }

  it('shows the context panel beside the thread', async () => {
    open('ai_handoff', CONTEXT);
    await screen.findByRole('heading', { name: 'Assistant hand-off: CSV export' });
    expect(screen.getByRole('region', { name: 'Handed over by the AI assistant' })).toBeTruthy();
    expect(screen.getByRole('log', { name: 'Messages' })).toBeTruthy();
  });

  it('shows no panel for an ordinary conversation', async () => {
    open('support', null);
    await screen.findByRole('heading', { name: 'Assistant hand-off: CSV export' });
    expect(screen.queryByRole('region', { name: 'Handed over by the AI assistant' })).toBeNull();
  });
});
