import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useReducer, useRef, useState } from 'react';
import { useApi } from '../../api/ApiContext';
import {
  askAssistant,
  createAssistantSession,
  fetchAssistantSession,
  type AnswerEvent,
  type AssistantTurn,
} from '../../api/assistant';
import { assistantKeys } from '../../api/queryKeys';
import { askErrorText } from './errors';
import { assistantThreadReducer, canAsk, emptyThread, newThread } from './threadState';

interface UseAssistantChatOptions {
  /** The chat on screen; null for a new chat, made on the first question. */
  sessionId: number | null;
  /** The new chat was made on the server (the page then shows its address). */
  onCreated: (id: number) => void;
}

/**
 * One assistant chat: its stored turns, the question being answered (streamed in as it is
 * written), failures with a retry, and a new chat made on the first question.
 */
export function useAssistantChat({ sessionId, onCreated }: UseAssistantChatOptions) {
  const api = useApi();
  const queryClient = useQueryClient();
  const [state, dispatch] = useReducer(assistantThreadReducer, sessionId === null ? newThread : emptyThread);
  // A new chat gets its id with the first question, before the page's address shows it.
  const [createdId, setCreatedId] = useState<number | null>(null);
  const chatId = sessionId ?? createdId;
  const controller = useRef<AbortController | null>(null);

  const details = useQuery({
    queryKey: assistantKeys.session(sessionId ?? 0),
    queryFn: ({ signal }) => fetchAssistantSession(api, sessionId ?? 0, signal),
    enabled: sessionId !== null,
  });
  const storedTurns = details.data?.turns;
  useEffect(() => {
    if (storedTurns !== undefined) dispatch({ type: 'loaded', turns: storedTurns });
  }, [storedTurns]);

  // Leaving the page stops reading the answer (the server keeps it all the same).
  useEffect(
    () => () => {
      controller.current?.abort();
    },
    [],
  );

  async function run(question: string) {
    const abort = new AbortController();
    controller.current = abort;
    let id = chatId;
    if (id === null) {
      try {
        const session = await createAssistantSession(api);
        id = session.id;
      } catch (error) {
        if (!abort.signal.aborted) dispatch({ type: 'failed', error: askErrorText(error) });
        return;
      }
      // The person went to another chat while this one was being made: stay where they are.
      if (abort.signal.aborted) return;
      setCreatedId(id);
      onCreated(id);
    }
    // Set from the event callback: an answer ends with `done` or `error`, else it was cut off.
    const stream = { finished: false };
    const onEvent = (event: AnswerEvent) => {
      switch (event.type) {
        case 'question':
          dispatch({ type: 'question', turn: event.turn });
          break;
        case 'delta':
          dispatch({ type: 'delta', text: event.text });
          break;
        case 'reset':
          dispatch({ type: 'reset', reason: event.reason });
          break;
        case 'done':
          stream.finished = true;
          dispatch({ type: 'done', done: event.done });
          break;
        case 'error':
          stream.finished = true;
          dispatch({ type: 'failed', error: event.message });
          break;
      }
    };
    try {
      await askAssistant(api, id, question, onEvent, abort.signal);
      if (!stream.finished) dispatch({ type: 'failed', error: 'The answer stopped before it was complete.' });
    } catch (error) {
      if (abort.signal.aborted) return;
      dispatch({ type: 'failed', error: askErrorText(error) });
    } finally {
      if (controller.current === abort) controller.current = null;
      if (!abort.signal.aborted) {
        // The chat's title comes from its first question; the stored turns replace the stream.
        void queryClient.invalidateQueries({ queryKey: assistantKeys.sessions() });
        void queryClient.invalidateQueries({ queryKey: assistantKeys.session(id) });
      }
    }
  }

  function ask(question: string) {
    if (!canAsk(state)) return;
    dispatch({ type: 'ask', question });
    void run(question);
  }

  /**
   * Asks the failed question again. When the server had stored it, its answer may have been
   * stored too (only the connection broke): then that answer is shown instead of asking twice.
   */
  async function retry() {
    const pending = state.pending;
    if (pending === null || pending.phase !== 'failed') return;
    const stored = pending.stored;
    const id = chatId;
    if (stored !== null && id !== null) {
      let turns: AssistantTurn[];
      try {
        turns = (await fetchAssistantSession(api, id)).turns;
      } catch (error) {
        dispatch({ type: 'failed', error: askErrorText(error) });
        return;
      }
      dispatch({ type: 'recovered', turns });
      if (turns.some((t) => t.role === 'assistant' && t.id > stored.id)) return;
    }
    dispatch({ type: 'ask', question: pending.question });
    void run(pending.question);
  }

  return { state, details, sessionId: chatId, ask, retry: () => void retry() };
}
