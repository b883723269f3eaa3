/**
 * A server-sent events parser, shared by the OpenAI-compatible and Anthropic clients (both stream
 * answers as `text/event-stream`). It follows "Server-sent events", HTML Living Standard §9.2.6
 * (interpreting an event stream): lines end in CRLF, LF or CR; `data:` lines of one event are joined
 * with LF; `event:` names the event; a blank line dispatches it; lines starting with `:` are comments;
 * one space after the colon is dropped. `id:` and `retry:` only matter to reconnecting browsers and
 * are ignored here.
 */

/** One dispatched event. `event` is absent when the server named none (the standard's "message"). */
export interface SseEvent {
  event?: string;
  data: string;
}

/** Parses a byte stream into events; the bytes are UTF-8, and a chunk may end anywhere, even mid-character. */
export async function* parseSse(source: AsyncIterable<Uint8Array>): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder('utf-8');
  let buffer = '';
  let data: string[] = [];
  let event: string | undefined;
  let first = true;

  /** Handles one line; returns an event when the line is blank and there is data to dispatch. */
  const line = (text: string): SseEvent | undefined => {
    if (text === '') {
      const out = data.length > 0 ? { ...(event === undefined ? {} : { event }), data: data.join('\n') } : undefined;
      data = [];
      event = undefined;
      return out;
    }
    if (text.startsWith(':')) return undefined;
    const colon = text.indexOf(':');
    const field = colon < 0 ? text : text.slice(0, colon);
    let value = colon < 0 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') data.push(value);
    else if (field === 'event') event = value;
    return undefined;
  };

  for await (const chunk of source) {
    buffer += decoder.decode(chunk, { stream: true });
    if (first && buffer.length > 0) {
      if (buffer.charCodeAt(0) === 0xfeff) buffer = buffer.slice(1);
      first = false;
    }
    let start = 0;
    for (;;) {
      const lf = buffer.indexOf('\n', start);
      const cr = buffer.indexOf('\r', start);
      let end: number;
      let next: number;
      if (cr >= 0 && (lf < 0 || cr < lf)) {
        // A CR at the end of the chunk may be the first half of a CRLF split across chunks: wait.
        if (cr === buffer.length - 1) break;
        end = cr;
        next = buffer.charCodeAt(cr + 1) === 10 ? cr + 2 : cr + 1;
      } else if (lf >= 0) {
        end = lf;
        next = lf + 1;
      } else {
        break;
      }
      const out = line(buffer.slice(start, end));
      start = next;
      if (out !== undefined) yield out;
    }
    buffer = buffer.slice(start);
  }
  buffer += decoder.decode();
  // At the end of the stream a pending CR is a line end; an unterminated last line is discarded, as the
  // standard says ("incomplete event"), and so is an event without its blank line.
  if (buffer.endsWith('\r')) {
    const out = line(buffer.slice(0, -1));
    if (out !== undefined) yield out;
  }
}
