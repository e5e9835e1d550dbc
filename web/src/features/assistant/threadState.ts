import type { AnswerDone, AssistantTurn, Decision } from '../../api/assistant';

/** The question being answered right now, or the last one whose answer failed. */
export interface PendingExchange {
  /** What the person asked, as sent. */
  question: string;
  /** The question as the server stored it (the `question` event); null until then. */
  stored: AssistantTurn | null;
  /** The answer so far: the deltas, joined. */
  answer: string;
  /** `asking`: sent, nothing back yet; `streaming`: the answer is arriving; `failed`: see `error`. */
  phase: 'asking' | 'streaming' | 'failed';
  error: string | null;
  /** Said above the answer while it is written (the AI model failed; the built-in answer follows). */
  notice: string | null;
}

/** One assistant chat as the page shows it: the stored turns plus the exchange in flight. */
export interface AssistantThreadState {
  /** Stored turns, oldest first. */
  turns: AssistantTurn[];
  /** Whether the stored turns came from the server yet. */
  loaded: boolean;
  pending: PendingExchange | null;
  /** The hand-off decision after the latest answer given on this page (it is not stored). */
  decision: Decision | null;
  /** Whether a hand-off is possible for this person, as the latest answer said; null: not known. */
  handoffAvailable: boolean | null;
}

export type AssistantThreadAction =
  /** The stored turns from the server; ignored while an exchange is pending (it is newer). */
  | { type: 'loaded'; turns: readonly AssistantTurn[] }
  /** The stored turns after a failed exchange was checked on the server: they replace it. */
  | { type: 'recovered'; turns: readonly AssistantTurn[] }
  | { type: 'ask'; question: string }
  | { type: 'question'; turn: AssistantTurn }
  | { type: 'delta'; text: string }
  /** The AI model failed mid-answer: the text so far is dropped, another answer follows. */
  | { type: 'reset'; reason: string }
  | { type: 'done'; done: AnswerDone }
  | { type: 'failed'; error: string };

export const emptyThread: AssistantThreadState = {
  turns: [],
  loaded: false,
  pending: null,
  decision: null,
  handoffAvailable: null,
};

/** A new chat that has no stored turns to wait for. */
export const newThread: AssistantThreadState = { ...emptyThread, loaded: true };

function appendTurns(turns: readonly AssistantTurn[], added: readonly AssistantTurn[]): AssistantTurn[] {
  const next = [...turns];
  for (const turn of added) {
    if (!next.some((t) => t.id === turn.id)) next.push(turn);
  }
  return next;
}

export function assistantThreadReducer(state: AssistantThreadState, action: AssistantThreadAction): AssistantThreadState {
  switch (action.type) {
    case 'loaded':
      if (state.pending !== null) return state;
      return { ...state, turns: [...action.turns], loaded: true };
    case 'recovered':
      return { ...state, turns: [...action.turns], loaded: true, pending: null };
    case 'ask':
      if (state.pending !== null && state.pending.phase !== 'failed') return state;
      return {
        ...state,
        // A failed exchange's question is stored all the same: it stays in the history.
        turns: state.pending?.stored ? appendTurns(state.turns, [state.pending.stored]) : state.turns,
        pending: { question: action.question, stored: null, answer: '', phase: 'asking', error: null, notice: null },
        decision: null,
      };
    case 'question':
      if (state.pending === null || state.pending.phase === 'failed') return state;
      return { ...state, pending: { ...state.pending, stored: action.turn } };
    case 'delta':
      if (state.pending === null || state.pending.phase === 'failed') return state;
      return { ...state, pending: { ...state.pending, answer: state.pending.answer + action.text, phase: 'streaming' } };
    case 'reset':
      if (state.pending === null || state.pending.phase === 'failed') return state;
      return { ...state, pending: { ...state.pending, answer: '', phase: 'asking', notice: action.reason } };
    case 'done': {
      const { pending } = state;
      if (pending === null || pending.phase === 'failed') return state;
      // The streamed text is replaced by the stored answer, with its sources.
      const question: AssistantTurn = pending.stored ?? {
        id: action.done.turn.id - 1,
        role: 'user',
        content: pending.question,
        sources: [],
        createdAt: action.done.turn.createdAt,
      };
      return {
        ...state,
        turns: appendTurns(state.turns, [question, action.done.turn]),
        pending: null,
        decision: action.done.decision,
        handoffAvailable: action.done.handoffAvailable,
      };
    }
    case 'failed':
      if (state.pending === null) return state;
      // The question stays on screen with the error; a half-written answer does not.
      return { ...state, pending: { ...state.pending, answer: '', phase: 'failed', error: action.error } };
  }
}

/** Whether the person asked anything in this chat (a hand-off needs something to hand over). */
export function hasQuestion(state: AssistantThreadState): boolean {
  return state.turns.some((t) => t.role === 'user') || state.pending?.stored != null;
}

/** Whether a new question may be sent now (one at a time). */
export function canAsk(state: AssistantThreadState): boolean {
  return state.pending === null || state.pending.phase === 'failed';
}
