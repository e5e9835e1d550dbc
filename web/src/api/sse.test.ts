import { describe, expect, it } from 'vitest';
import { readSseStream, SseParser, type SseEvent } from './sse';

/** Feeds the pieces one after another and returns every event the parser gave. */
function parse(pieces: readonly string[], { end = true } = {}): SseEvent[] {
  const events: SseEvent[] = [];
  const parser = new SseParser((e) => events.push(e));
  for (const piece of pieces) parser.push(piece);
  if (end) parser.end();
  return events;
}

/** Every way of cutting `text` in two. */
function splits(text: string): [string, string][] {
  return Array.from({ length: text.length + 1 }, (_, i) => [text.slice(0, i), text.slice(i)]);
}

const STREAM =
  'event: question\ndata: {"id":1}\n\nevent: delta\ndata: {"text":"Hel"}\n\nevent: delta\ndata: {"text":"lo"}\n\nevent: done\ndata: {"ok":true}\n\n';
const EXPECTED: SseEvent[] = [
  { event: 'question', data: '{"id":1}' },
  { event: 'delta', data: '{"text":"Hel"}' },
  { event: 'delta', data: '{"text":"lo"}' },
  { event: 'done', data: '{"ok":true}' },
];

describe('SseParser', () => {
  it('gives every event of a stream that arrives in one piece, in order', () => {
    expect(parse([STREAM])).toEqual(EXPECTED);
  });

  it('gives the same events wherever the stream is cut: mid-field, mid-line, mid-event, between events', () => {
    for (const [a, b] of splits(STREAM)) {
      expect(parse([a, b]), `cut at ${a.length}`).toEqual(EXPECTED);
    }
  });

  it('gives the same events when the stream arrives one character at a time', () => {
    expect(parse(Array.from(STREAM))).toEqual(EXPECTED);
  });

  it('reads CRLF and lone CR line endings, also when CR and LF arrive in different pieces', () => {
    const crlf = STREAM.replaceAll('\n', '\r\n');
    expect(parse([crlf])).toEqual(EXPECTED);
    for (const [a, b] of splits(crlf)) {
      expect(parse([a, b]), `CRLF cut at ${a.length}`).toEqual(EXPECTED);
    }
    expect(parse([STREAM.replaceAll('\n', '\r')])).toEqual(EXPECTED);
  });

  it('skips comments (keep-alives) and unknown fields, and joins data lines with a newline', () => {
    const events = parse([':\n\n: keep-alive\nretry: 3000\nfoo: bar\nevent: delta\ndata: one\ndata:two\n\n']);
    expect(events).toEqual([{ event: 'delta', data: 'one\ntwo' }]);
  });

  it('names an event without `event:` "message" and drops events without data', () => {
    expect(parse(['data: plain\n\nevent: empty\n\n'])).toEqual([{ event: 'message', data: 'plain' }]);
  });

  it('takes a field without a colon as the field name with an empty value', () => {
    expect(parse(['event: delta\ndata\n\n'])).toEqual([{ event: 'delta', data: '' }]);
  });

  it('keeps the id field and ignores a byte-order mark at the start', () => {
    expect(parse(['\uFEFFid: 7\nevent: delta\ndata: x\n\n'])).toEqual([{ event: 'delta', data: 'x', id: '7' }]);
  });

  it('drops a last event that never got its closing blank line (a cut-off stream)', () => {
    expect(parse(['event: delta\ndata: complete\n\nevent: done\ndata: {"turn"'])).toEqual([
      { event: 'delta', data: 'complete' },
    ]);
  });

  it('does not give an event before its blank line has arrived', () => {
    const events: SseEvent[] = [];
    const parser = new SseParser((e) => events.push(e));
    parser.push('event: delta\ndata: x\n');
    expect(events).toEqual([]);
    parser.push('\n');
    expect(events).toEqual([{ event: 'delta', data: 'x' }]);
  });
});

function byteStream(chunks: readonly Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
}

describe('readSseStream', () => {
  it('decodes UTF-8 split across chunks in the middle of a character', async () => {
    const bytes = new TextEncoder().encode('event: delta\ndata: {"text":"Grüße 👋"}\n\n');
    const cut = bytes.indexOf(0xc3) + 1; // inside "ü"
    const events: SseEvent[] = [];
    await readSseStream(byteStream([bytes.slice(0, cut), bytes.slice(cut, cut + 30), bytes.slice(cut + 30)]), (e) =>
      events.push(e),
    );
    expect(events).toEqual([{ event: 'delta', data: '{"text":"Grüße 👋"}' }]);
  });

  it('rejects when the stream fails mid-way, after giving the events that arrived', async () => {
    const events: SseEvent[] = [];
    let pulls = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulls += 1;
        if (pulls === 1) controller.enqueue(new TextEncoder().encode('event: delta\ndata: a\n\nevent: delta\nda'));
        else controller.error(new TypeError('network error'));
      },
    });
    await expect(readSseStream(body, (e) => events.push(e))).rejects.toThrow('network error');
    expect(events).toEqual([{ event: 'delta', data: 'a' }]);
  });
});
