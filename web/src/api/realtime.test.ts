import { describe, expect, it } from 'vitest';
import { encodeClientFrame, parseServerFrame } from './realtime';

describe('parseServerFrame', () => {
  it('reads an ack as the server writes it', () => {
    const frame = parseServerFrame(
      '{"type":"ack","conversationId":3,"data":{"clientMessageId":"c1","messageId":9,"seq":2}}',
    );
    expect(frame?.type).toBe('ack');
    if (frame?.type === 'ack') {
      expect(frame.data.messageId).toBe(9);
    }
  });

  it('accepts pong without data', () => {
    expect(parseServerFrame('{"type":"pong"}')).toEqual({ type: 'pong' });
  });

  it('rejects text that is not a known frame', () => {
    expect(parseServerFrame('not json')).toBeNull();
    expect(parseServerFrame('{"type":"dance","data":{}}')).toBeNull();
    expect(parseServerFrame('{"type":"message"}')).toBeNull();
    expect(parseServerFrame('[1,2]')).toBeNull();
  });
});

describe('encodeClientFrame', () => {
  it('writes the documented join shape', () => {
    const text = encodeClientFrame({
      type: 'join_conversation',
      conversationId: 7,
      data: { sinceMessageId: 41 },
    });
    expect(JSON.parse(text)).toEqual({
      type: 'join_conversation',
      conversationId: 7,
      data: { sinceMessageId: 41 },
    });
  });
});
