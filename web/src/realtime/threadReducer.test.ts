import { describe, expect, it } from 'vitest';
import { serverMessage } from './testMessages';
import {
  initialRealtimeState,
  messagesToSend,
  newestIncomingId,
  realtimeReducer,
  resumePoint,
  type RealtimeAction,
} from './threadReducer';
import type { RealtimeState, Thread } from './types';

// Ann (id 2) is the signed-in end user; Ada (id 1) is the admin answering her.
const ANN = 2;
const ADA = 1;
const CONV = 7;
const CMID = '3f2b8c1e-7d4a-4e2b-9c1a-0b5d6e7f8a90';
const CMID2 = 'a1b2c3d4-0000-4000-8000-000000000002';

function run(actions: RealtimeAction[], state: RealtimeState = initialRealtimeState(ANN)) {
  return actions.reduce(realtimeReducer, state);
}

function thread(state: RealtimeState, id = CONV): Thread {
  const t = state.threads[id];
  if (t === undefined) throw new Error(`no thread ${id}`);
  return t;
}

function contents(state: RealtimeState) {
  return thread(state).messages.map((m) => m.content);
}

const fromAda = (id: number, extra: Parameters<typeof serverMessage>[0] = { id }) =>
  serverMessage({ senderId: ADA, senderType: 'admin', senderName: 'Ada', ...extra, id });

const page = (ids: number[], hasMore = false): RealtimeAction => ({
  type: 'page_loaded',
  conversationId: CONV,
  ownerId: ANN,
  messages: ids.map((id) => serverMessage({ id })),
  hasMore,
});

const send = (clientMessageId: string, content: string): RealtimeAction => ({
  type: 'send',
  conversationId: CONV,
  clientMessageId,
  content,
  senderName: 'Ann',
  senderType: 'user',
  createdAt: '2026-11-24T10:05:00Z',
});

describe('dedupe', () => {
  it('shows a message once when the join replay and the live feed both deliver it', () => {
    const state = run([
      page([1, 2]),
      { type: 'message', message: fromAda(3) },
      { type: 'message', message: fromAda(3) },
    ]);
    expect(thread(state).messages.map((m) => m.id)).toEqual([1, 2, 3]);
  });

  it('shows a message once when a REST refetch brings back messages that came live', () => {
    const state = run([
      page([1]),
      { type: 'message', message: fromAda(2) },
      { type: 'message', message: fromAda(3) },
      {
        type: 'page_loaded',
        conversationId: CONV,
        ownerId: ANN,
        messages: [serverMessage({ id: 1 }), fromAda(2), fromAda(3)],
        hasMore: false,
      },
    ]);
    expect(thread(state).messages.map((m) => m.id)).toEqual([1, 2, 3]);
  });

  it('keeps the state untouched when a refetch changes nothing', () => {
    const loaded = run([page([1, 2])]);
    expect(realtimeReducer(loaded, page([1, 2]))).toBe(loaded);
  });
});

describe('ordering', () => {
  it('orders messages by seq whatever order they arrive in', () => {
    const state = run([
      page([1]),
      { type: 'message', message: fromAda(4) },
      { type: 'message', message: fromAda(2) },
      { type: 'message', message: fromAda(3) },
    ]);
    expect(thread(state).messages.map((m) => m.seq)).toEqual([1, 2, 3, 4]);
  });

  it('puts older pages before what is held and remembers whether even older ones exist', () => {
    const state = run([
      page([3, 4], true),
      {
        type: 'older_loaded',
        conversationId: CONV,
        messages: [serverMessage({ id: 1 }), serverMessage({ id: 2 })],
        hasMore: false,
      },
    ]);
    expect(thread(state).messages.map((m) => m.id)).toEqual([1, 2, 3, 4]);
    expect(thread(state).hasOlder).toBe(false);
    expect(run([page([3, 4], true)]).threads[CONV]?.hasOlder).toBe(true);
  });

  it('keeps my pending messages after every stored one until they are confirmed', () => {
    const state = run([page([1]), send(CMID, 'mine'), { type: 'message', message: fromAda(2) }]);
    expect(contents(state)).toEqual(['message 1', 'message 2', 'mine']);
  });
});

describe('optimistic sends', () => {
  it('shows a sent message at once as sending', () => {
    const state = run([page([1]), send(CMID, 'Any news?')]);
    const pending = thread(state).messages.at(-1);
    expect(pending).toMatchObject({ content: 'Any news?', status: 'sending', id: null, senderId: ANN });
    expect(messagesToSend(thread(state)).map((m) => m.clientMessageId)).toEqual([CMID]);
  });

  it('reconciles the ack into the same entry with the real id and seq', () => {
    const state = run([
      page([1]),
      send(CMID, 'Any news?'),
      { type: 'transmitted', conversationId: CONV, clientMessageId: CMID },
      { type: 'ack', conversationId: CONV, clientMessageId: CMID, messageId: 2, seq: 2 },
    ]);
    const messages = thread(state).messages;
    expect(messages).toHaveLength(2);
    expect(messages[1]).toMatchObject({ id: 2, seq: 2, status: 'delivered', key: `c${CMID}` });
    expect(messagesToSend(thread(state))).toEqual([]);
  });

  it('does not duplicate when the ack and then my own message frame arrive', () => {
    const state = run([
      page([1]),
      send(CMID, 'Any news?'),
      { type: 'ack', conversationId: CONV, clientMessageId: CMID, messageId: 2, seq: 2 },
      { type: 'message', message: serverMessage({ id: 2, content: 'Any news?', clientMessageId: CMID }) },
    ]);
    expect(contents(state)).toEqual(['message 1', 'Any news?']);
    expect(thread(state).messages[1]?.status).toBe('delivered');
  });

  it('does not duplicate when my message frame overtakes the ack', () => {
    const state = run([
      page([1]),
      send(CMID, 'Any news?'),
      { type: 'message', message: serverMessage({ id: 2, content: 'Any news?', clientMessageId: CMID.toUpperCase() }) },
      { type: 'ack', conversationId: CONV, clientMessageId: CMID, messageId: 2, seq: 2 },
    ]);
    expect(contents(state)).toEqual(['message 1', 'Any news?']);
    expect(thread(state).messages[1]).toMatchObject({ id: 2, status: 'delivered', key: `c${CMID}` });
  });

  it('moves a confirmed message into its seq place among messages that arrived meanwhile', () => {
    const state = run([
      page([1]),
      send(CMID, 'mine'),
      { type: 'message', message: fromAda(3) },
      { type: 'ack', conversationId: CONV, clientMessageId: CMID, messageId: 2, seq: 2 },
    ]);
    expect(contents(state)).toEqual(['message 1', 'mine', 'message 3']);
  });

  it('sends nothing twice: sending the same clientMessageId again changes nothing', () => {
    const once = run([page([1]), send(CMID, 'hello')]);
    expect(realtimeReducer(once, send(CMID, 'hello'))).toBe(once);
  });
});

describe('failed sends', () => {
  it('marks a refused send failed with the reason and keeps it for a retry', () => {
    const state = run([
      page([1]),
      send(CMID, 'x'.repeat(3)),
      { type: 'transmitted', conversationId: CONV, clientMessageId: CMID },
      {
        type: 'send_failed',
        conversationId: null,
        clientMessageId: CMID,
        code: 'rate_limited',
        error: 'Sending too fast; try again in 2 s.',
      },
    ]);
    expect(thread(state).messages[1]).toMatchObject({
      status: 'failed',
      errorCode: 'rate_limited',
      error: 'Sending too fast; try again in 2 s.',
    });
    expect(messagesToSend(thread(state))).toEqual([]);

    const retried = realtimeReducer(state, { type: 'retry', conversationId: CONV, clientMessageId: CMID });
    expect(thread(retried).messages[1]).toMatchObject({ status: 'sending', error: null, clientMessageId: CMID });
    expect(messagesToSend(thread(retried))).toHaveLength(1);
  });

  it('lets a late ack rescue a message that timed out', () => {
    const state = run([
      page([1]),
      send(CMID, 'slow'),
      { type: 'send_failed', conversationId: CONV, clientMessageId: CMID, code: 'timeout', error: 'No answer' },
      { type: 'ack', conversationId: CONV, clientMessageId: CMID, messageId: 2, seq: 2 },
    ]);
    expect(thread(state).messages[1]).toMatchObject({ id: 2, status: 'delivered', error: null });
  });

  it('ignores an error for a message that is already stored', () => {
    const stored = run([
      page([1]),
      send(CMID, 'ok'),
      { type: 'ack', conversationId: CONV, clientMessageId: CMID, messageId: 2, seq: 2 },
    ]);
    const after = realtimeReducer(stored, {
      type: 'send_failed',
      conversationId: CONV,
      clientMessageId: CMID,
      code: 'internal',
      error: 'x',
    });
    expect(thread(after).messages[1]?.status).toBe('delivered');
  });

  it('discards a failed message', () => {
    const state = run([
      page([1]),
      send(CMID, 'oops'),
      { type: 'send_failed', conversationId: CONV, clientMessageId: CMID, code: 'validation_failed', error: 'Too long' },
      { type: 'discard', conversationId: CONV, clientMessageId: CMID },
    ]);
    expect(contents(state)).toEqual(['message 1']);
  });

  it('puts messages written to a socket that dropped back in line, in order, unconfirmed', () => {
    const state = run([
      page([1]),
      send(CMID, 'first'),
      send(CMID2, 'second'),
      { type: 'transmitted', conversationId: CONV, clientMessageId: CMID },
      { type: 'connection_lost' },
    ]);
    expect(messagesToSend(thread(state)).map((m) => m.content)).toEqual(['first', 'second']);
  });
});

describe('read receipts', () => {
  const mine = (id: number) => serverMessage({ id, clientMessageId: null });

  it('marks my messages up to the receipt read when the other side reads them', () => {
    const state = run([
      {
        type: 'page_loaded',
        conversationId: CONV,
        ownerId: ANN,
        messages: [mine(1), mine(2), fromAda(3), mine(4)],
        hasMore: false,
      },
      { type: 'read_receipt', conversationId: CONV, userId: ADA, messageId: 2 },
    ]);
    expect(thread(state).messages.map((m) => [m.id, m.status])).toEqual([
      [1, 'read'],
      [2, 'read'],
      [3, 'delivered'],
      [4, 'delivered'],
    ]);
  });

  it('does not count my own receipts as the other side reading', () => {
    const state = run([page([1, 2]), { type: 'read_receipt', conversationId: CONV, userId: ANN, messageId: 2 }]);
    expect(thread(state).messages.every((m) => m.status === 'delivered')).toBe(true);
    expect(thread(state).selfReadUpTo).toBe(2);
  });

  it('marks a message read when it is confirmed after the receipt already covered it', () => {
    const state = run([
      page([1]),
      send(CMID, 'mine'),
      { type: 'read_receipt', conversationId: CONV, userId: ADA, messageId: 5 },
      { type: 'ack', conversationId: CONV, clientMessageId: CMID, messageId: 5, seq: 2 },
    ]);
    expect(thread(state).messages[1]?.status).toBe('read');
  });

  it('takes read state from REST: readAt on my messages means the other side read them', () => {
    const state = run([
      {
        type: 'page_loaded',
        conversationId: CONV,
        ownerId: ANN,
        messages: [mine(1), serverMessage({ id: 2, readAt: '2026-11-24T10:01:00Z' }), mine(3)],
        hasMore: false,
      },
    ]);
    expect(thread(state).messages.map((m) => m.status)).toEqual(['read', 'read', 'delivered']);
  });

  it('for an admin, only the end user reading counts, not another admin', () => {
    const adminView = initialRealtimeState(ADA);
    const load: RealtimeAction = {
      type: 'page_loaded',
      conversationId: CONV,
      ownerId: ANN,
      messages: [fromAda(1)],
      hasMore: false,
    };
    const byOtherAdmin = run([load, { type: 'read_receipt', conversationId: CONV, userId: 9, messageId: 1 }], adminView);
    expect(thread(byOtherAdmin).messages[0]?.status).toBe('delivered');
    const byUser = run([load, { type: 'read_receipt', conversationId: CONV, userId: ANN, messageId: 1 }], adminView);
    expect(thread(byUser).messages[0]?.status).toBe('read');
  });

  it('finds the newest incoming message to acknowledge as read', () => {
    const state = run([page([1]), { type: 'message', message: fromAda(2) }, send(CMID, 'mine')]);
    expect(newestIncomingId(thread(state), ANN)).toBe(2);
  });
});

describe('resume', () => {
  it('resumes from the newest message received, REST or live', () => {
    expect(resumePoint(undefined)).toBe(0);
    const state = run([page([1, 2]), { type: 'message', message: fromAda(5) }, { type: 'message', message: fromAda(3) }]);
    expect(resumePoint(thread(state))).toBe(5);
  });

  it('does not move the resume point on an ack, which can overtake a message still on its way', () => {
    const state = run([
      page([1]),
      send(CMID, 'mine'),
      { type: 'ack', conversationId: CONV, clientMessageId: CMID, messageId: 3, seq: 3 },
    ]);
    expect(resumePoint(thread(state))).toBe(1);
  });

  it('marks a conversation for refetch on reset_required until the next REST page', () => {
    const reset = run([page([1, 2]), { type: 'reset_required', conversationId: CONV }]);
    expect(thread(reset).needsRefetch).toBe(true);
    const refetched = realtimeReducer(reset, page([2, 3]));
    expect(thread(refetched).needsRefetch).toBe(false);
    expect(thread(refetched).messages.map((m) => m.id)).toEqual([1, 2, 3]);
  });

  it('after a reset, replaces what it held when the new page leaves a gap, keeping unsent messages', () => {
    const state = run([
      page([1, 2]),
      send(CMID, 'still mine'),
      { type: 'reset_required', conversationId: CONV },
      page([600, 601], true),
    ]);
    expect(contents(state)).toEqual(['message 600', 'message 601', 'still mine']);
    expect(thread(state).hasOlder).toBe(true);
    expect(resumePoint(thread(state))).toBe(601);
  });

  it('forgets everything when another person signs in', () => {
    const state = run([page([1]), { type: 'session', selfId: 99 }]);
    expect(state.threads).toEqual({});
    expect(state.selfId).toBe(99);
  });
});

describe('typing and deletion', () => {
  it('shows who is typing, and stops when they send or say so', () => {
    const typing = run([page([1]), { type: 'typing', conversationId: CONV, userId: ADA, name: 'Ada', isTyping: true }]);
    expect(thread(typing).typing).toEqual([{ userId: ADA, name: 'Ada' }]);
    expect(thread(realtimeReducer(typing, { type: 'message', message: fromAda(2) })).typing).toEqual([]);
    expect(
      thread(realtimeReducer(typing, { type: 'typing', conversationId: CONV, userId: ADA, name: 'Ada', isTyping: false }))
        .typing,
    ).toEqual([]);
    expect(thread(realtimeReducer(typing, { type: 'connection_lost' })).typing).toEqual([]);
  });

  it('replaces a deleted message content and keeps it deleted when a stale copy comes back', () => {
    const state = run([
      page([1, 2]),
      { type: 'message_deleted', conversationId: CONV, messageId: 2 },
      page([1, 2]),
    ]);
    expect(contents(state)).toEqual(['message 1', '[message deleted]']);
  });
});
