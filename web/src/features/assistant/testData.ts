import type { AnswerDone, AssistantSession, AssistantTurn, Decision } from '../../api/assistant';

export function turn(overrides: Partial<AssistantTurn> & { id: number }): AssistantTurn {
  return {
    role: 'user',
    content: `turn ${overrides.id}`,
    sources: [],
    createdAt: '2026-11-24T10:00:00Z',
    ...overrides,
  };
}

export function answer(overrides: Partial<AssistantTurn> & { id: number }): AssistantTurn {
  return turn({ role: 'assistant', confidence: 0.8, answeredBy: 'offline', ...overrides });
}

export function decision(overrides: Partial<Decision> = {}): Decision {
  return {
    handoff: false,
    reasons: [],
    category: 'technical',
    urgency: 'low',
    sentiment: { compound: 0, label: 'neutral' },
    intent: 'how_to',
    ...overrides,
  };
}

export function done(answerTurn: AssistantTurn, overrides: Partial<AnswerDone> = {}): AnswerDone {
  return { turn: answerTurn, decision: decision(), handoffAvailable: true, ...overrides };
}

export function session(overrides: Partial<AssistantSession> & { id: number }): AssistantSession {
  return {
    title: 'How do I reset my password?',
    createdAt: '2026-11-24T10:00:00Z',
    updatedAt: '2026-11-24T10:00:00Z',
    handoffConversationId: null,
    ...overrides,
  };
}

/** One server-sent event as the server writes it. */
export function sse(event: string, body: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(body)}\n\n`;
}

/**
 * A `text/event-stream` response whose body yields these pieces one read at a time; with
 * `breakAfter`, the connection fails once they are read (a stream cut off mid-way).
 */
export function sseResponse(pieces: readonly string[], { breakAfter = false, gate }: { breakAfter?: boolean; gate?: Promise<void> } = {}): Response {
  const encoder = new TextEncoder();
  let index = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      // Hold the rest back until the test opens the gate (to look at a half-streamed answer).
      if (index === 1 && gate) await gate;
      const piece = pieces[index];
      index += 1;
      if (piece !== undefined) controller.enqueue(encoder.encode(piece));
      else if (breakAfter) controller.error(new TypeError('network error'));
      else controller.close();
    },
  });
  return new Response(body, { status: 200, headers: { 'Content-Type': 'text/event-stream' } });
}
