/** One server-sent event: its name (`message` when the server gave none) and its data lines joined. */
export interface SseEvent {
  event: string;
  data: string;
  /** The `id:` field, when the event had one. */
  id?: string;
}

/**
 * A streaming parser for `text/event-stream` (the WHATWG rules): feed it text as it arrives, in
 * pieces of any size; it calls `onEvent` once per complete event. Lines end in LF, CR or CRLF
 * (also when the CR and LF arrive in different pieces); `:` lines are comments (keep-alives);
 * an event without data lines is dropped, as browsers do.
 */
export class SseParser {
  private readonly onEvent: (event: SseEvent) => void;
  private buffer = '';
  /** The last piece ended in CR: an LF at the start of the next one belongs to it. */
  private afterCr = false;
  private started = false;
  private eventName = '';
  private dataLines: string[] = [];
  private id: string | undefined = undefined;

  constructor(onEvent: (event: SseEvent) => void) {
    this.onEvent = onEvent;
  }

  /** Takes the next piece of the stream. */
  push(text: string): void {
    let chunk = text;
    if (!this.started && chunk !== '') {
      this.started = true;
      if (chunk.startsWith('\uFEFF')) chunk = chunk.slice(1);
    }
    if (this.afterCr && chunk.startsWith('\n')) chunk = chunk.slice(1);
    this.afterCr = false;
    this.buffer += chunk;

    let start = 0;
    for (let i = 0; i < this.buffer.length; i += 1) {
      const c = this.buffer[i];
      if (c !== '\n' && c !== '\r') continue;
      this.line(this.buffer.slice(start, i));
      if (c === '\r') {
        if (i + 1 === this.buffer.length) this.afterCr = true;
        else if (this.buffer[i + 1] === '\n') i += 1;
      }
      start = i + 1;
    }
    this.buffer = this.buffer.slice(start);
  }

  /**
   * The stream ended. A last event without its closing blank line is incomplete and dropped
   * (the spec's rule), so a cut-off answer never looks finished.
   */
  end(): void {
    this.buffer = '';
    this.afterCr = false;
    this.reset();
  }

  private line(line: string): void {
    if (line === '') {
      this.dispatch();
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        this.eventName = value;
        break;
      case 'data':
        this.dataLines.push(value);
        break;
      case 'id':
        if (!value.includes('\0')) this.id = value;
        break;
      default:
        // `retry` and unknown fields mean nothing to a fetch-based reader.
        break;
    }
  }

  private dispatch(): void {
    if (this.dataLines.length > 0) {
      this.onEvent({
        event: this.eventName === '' ? 'message' : this.eventName,
        data: this.dataLines.join('\n'),
        ...(this.id === undefined ? {} : { id: this.id }),
      });
    }
    this.reset();
  }

  private reset(): void {
    this.eventName = '';
    this.dataLines = [];
  }
}

/**
 * Reads a response body of server-sent events to its end, calling `onEvent` for each. Resolves
 * when the server closes the stream; rejects when reading fails (connection lost, aborted).
 */
export async function readSseStream(
  body: ReadableStream<Uint8Array>,
  onEvent: (event: SseEvent) => void,
): Promise<void> {
  const parser = new SseParser(onEvent);
  const decoder = new TextDecoder();
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parser.push(decoder.decode(value, { stream: true }));
    }
    parser.push(decoder.decode());
    parser.end();
  } finally {
    reader.releaseLock();
  }
}
