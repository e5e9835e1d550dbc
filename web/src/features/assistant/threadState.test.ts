import { describe, expect, it } from 'vitest';
import { answer, decision, done, turn } from './testData';
import {
  assistantThreadReducer as reduce,
  canAsk,
  emptyThread,
  hasQuestion,
  newThread,
  type AssistantThreadAction,
  type AssistantThreadState,
} from './threadState';

function run(state: AssistantThreadState, ...actions: AssistantThreadAction[]): AssistantThreadState {
  return actions.reduce(reduce, state);
}

const Q = turn({ id: 3, content: 'How do I reset my password?' });
const A = answer({
  id: 4,
  content: 'From "Keeping your account safe": use the reset link.',
  sources: [{ articleId: 1, slug: 'account-security', title: 'Keeping your account safe' }],
});

describe('assistantThreadReducer', () => {
  it('accumulates deltas into the answer being written, after the stored question', () => {
    const state = run(
      newThread,
      { type: 'ask', question: 'How do I reset my password?' },
      { type: 'question', turn: Q },
      { type: 'delta', text: 'From "Keeping' },
      { type: 'delta', text: ' your account safe": ' },
      { type: 'delta', text: 'use the reset link.' },
    );
    expect(state.pending).toEqual({
      question: 'How do I reset my password?',
      stored: Q,
      answer: 'From "Keeping your account safe": use the reset link.',
      phase: 'streaming',
      error: null,
      notice: null,
    });
    expect(state.turns).toEqual([]);
    expect(canAsk(state)).toBe(false);
  });

  it('is "asking" until the first delta arrives', () => {
    const state = run(newThread, { type: 'ask', question: 'hi' }, { type: 'question', turn: Q });
    expect(state.pending?.phase).toBe('asking');
  });

  it('replaces the streamed text with the stored question and answer when done, with the decision', () => {
    const handoff = decision({ handoff: true, reasons: [{ code: 'explicit_request', message: 'Asked for a person' }] });
    const state = run(
      newThread,
      { type: 'ask', question: Q.content },
      { type: 'question', turn: Q },
      { type: 'delta', text: 'partial text that differs' },
      { type: 'done', done: done(A, { decision: handoff, handoffAvailable: false }) },
    );
    expect(state.pending).toBeNull();
    expect(state.turns).toEqual([Q, A]);
    expect(state.decision).toEqual(handoff);
    expect(state.handoffAvailable).toBe(false);
    expect(canAsk(state)).toBe(true);
    expect(hasQuestion(state)).toBe(true);
  });

  it('forgets the model’s half answer on reset and says why, then takes the built-in answer', () => {
    const reason = 'The AI model stopped mid-answer; here is the answer from the help articles instead.';
    const reset = run(
      newThread,
      { type: 'ask', question: Q.content },
      { type: 'question', turn: Q },
      { type: 'delta', text: 'The model began' },
      { type: 'reset', reason },
    );
    expect(reset.pending).toMatchObject({ answer: '', phase: 'asking', notice: reason });
    const fallback = { ...A, answeredBy: 'fallback' as const };
    const state = run(reset, { type: 'delta', text: 'From the help' }, { type: 'done', done: done(fallback) });
    expect(state.pending).toBeNull();
    expect(state.turns).toEqual([Q, fallback]);
  });

  it('keeps the question with the error when the answer fails, and drops the half-written answer', () => {
    const state = run(
      newThread,
      { type: 'ask', question: Q.content },
      { type: 'question', turn: Q },
      { type: 'delta', text: 'Half an' },
      { type: 'failed', error: 'The connection broke while the answer was arriving.' },
    );
    expect(state.pending).toEqual({
      question: Q.content,
      stored: Q,
      answer: '',
      phase: 'failed',
      error: 'The connection broke while the answer was arriving.',
      notice: null,
    });
    // A stored question counts: there is something to hand over.
    expect(hasQuestion(state)).toBe(true);
    // The person may ask again (Retry) or ask something else.
    expect(canAsk(state)).toBe(true);
  });

  it('keeps a question the server refused on screen, not stored, with its error', () => {
    const state = run(newThread, { type: 'ask', question: 'hi' }, { type: 'failed', error: 'You are asking too quickly.' });
    expect(state.pending?.question).toBe('hi');
    expect(state.pending?.stored).toBeNull();
    expect(hasQuestion(state)).toBe(false);
  });

  it('ignores events that arrive after a failure (a late delta cannot revive it)', () => {
    const failed = run(newThread, { type: 'ask', question: 'hi' }, { type: 'failed', error: 'x' });
    expect(run(failed, { type: 'delta', text: 'late' }, { type: 'done', done: done(A) })).toBe(failed);
  });

  it('asks one question at a time', () => {
    const asking = run(newThread, { type: 'ask', question: 'first' });
    expect(reduce(asking, { type: 'ask', question: 'second' })).toBe(asking);
  });

  it('moves a failed exchange’s stored question into the history when the next question is asked', () => {
    const state = run(
      newThread,
      { type: 'ask', question: Q.content },
      { type: 'question', turn: Q },
      { type: 'failed', error: 'x' },
      { type: 'ask', question: 'Something else' },
    );
    expect(state.turns).toEqual([Q]);
    expect(state.pending?.question).toBe('Something else');
  });

  it('takes stored turns from the server, but not while an answer is on its way', () => {
    const loaded = reduce(emptyThread, { type: 'loaded', turns: [Q, A] });
    expect(loaded.loaded).toBe(true);
    expect(loaded.turns).toEqual([Q, A]);

    const asking = run(newThread, { type: 'ask', question: 'hi' });
    expect(reduce(asking, { type: 'loaded', turns: [Q] })).toBe(asking);
  });

  it('replaces a failed exchange with the stored turns after checking the server', () => {
    const failed = run(newThread, { type: 'ask', question: Q.content }, { type: 'question', turn: Q }, { type: 'failed', error: 'x' });
    const recovered = reduce(failed, { type: 'recovered', turns: [Q, A] });
    expect(recovered.pending).toBeNull();
    expect(recovered.turns).toEqual([Q, A]);
  });

  it('does not show a turn twice when the server already sent it', () => {
    const state = run(
      { ...newThread, turns: [Q] },
      { type: 'ask', question: Q.content },
      { type: 'question', turn: Q },
      { type: 'done', done: done(A) },
    );
    expect(state.turns).toEqual([Q, A]);
  });

  it('clears the previous suggestion when a new question is asked', () => {
    const state = run(
      newThread,
      { type: 'ask', question: 'a' },
      { type: 'done', done: done(A, { decision: decision({ handoff: true }) }) },
      { type: 'ask', question: 'b' },
    );
    expect(state.decision).toBeNull();
  });
});
