/**
 * The `application/vnd.amazon.eventstream` encoding of streamed responses ("Event stream encoding",
 * AWS SDK docs; used by InvokeModelWithResponseStream and ConverseStream): each message is a prelude
 * (total length, headers length, CRC32 of those 8 bytes), headers, the payload, and a CRC32 of
 * everything before it. Header values here are always strings (type 7).
 */

import { crc32 } from 'node:zlib';

/** Encodes one message with string headers. */
export function encodeEventMessage(headers: Readonly<Record<string, string>>, payload: Uint8Array): Buffer {
  const headerBytes: Buffer[] = [];
  for (const [name, value] of Object.entries(headers)) {
    const n = Buffer.from(name, 'utf8');
    const v = Buffer.from(value, 'utf8');
    const h = Buffer.allocUnsafe(1 + n.length + 1 + 2 + v.length);
    h.writeUInt8(n.length, 0);
    n.copy(h, 1);
    h.writeUInt8(7, 1 + n.length);
    h.writeUInt16BE(v.length, 2 + n.length);
    v.copy(h, 4 + n.length);
    headerBytes.push(h);
  }
  const headersLength = headerBytes.reduce((s, h) => s + h.length, 0);
  const total = 12 + headersLength + payload.length + 4;
  const out = Buffer.allocUnsafe(total);
  out.writeUInt32BE(total, 0);
  out.writeUInt32BE(headersLength, 4);
  out.writeUInt32BE(crc32(out.subarray(0, 8)), 8);
  let at = 12;
  for (const h of headerBytes) {
    h.copy(out, at);
    at += h.length;
  }
  out.set(payload, at);
  at += payload.length;
  out.writeUInt32BE(crc32(out.subarray(0, at)), at);
  return out;
}

/** An event: `:message-type` event, with its `:event-type` and a JSON payload. */
export function encodeEvent(eventType: string, payload: unknown): Buffer {
  return encodeEventMessage(
    { ':event-type': eventType, ':content-type': 'application/json', ':message-type': 'event' },
    Buffer.from(JSON.stringify(payload), 'utf8'),
  );
}

/** A modeled exception mid-stream: `:message-type` exception, with `:exception-type`. */
export function encodeExceptionEvent(exceptionType: string, message: string): Buffer {
  return encodeEventMessage(
    { ':exception-type': exceptionType, ':content-type': 'application/json', ':message-type': 'exception' },
    Buffer.from(JSON.stringify({ message }), 'utf8'),
  );
}

/** A decoded message (for tests and the upstream bedrock provider's test server). */
export interface EventMessage {
  headers: Record<string, string>;
  payload: Buffer;
}

/**
 * Decodes as many whole messages as `buffer` holds; returns them and the unread rest. Throws on a
 * bad CRC or a header type other than string.
 */
export function decodeEventMessages(buffer: Buffer): { messages: EventMessage[]; rest: Buffer } {
  const messages: EventMessage[] = [];
  let at = 0;
  while (buffer.length - at >= 12) {
    const total = buffer.readUInt32BE(at);
    if (buffer.length - at < total) break;
    const msg = buffer.subarray(at, at + total);
    if (crc32(msg.subarray(0, 8)) !== msg.readUInt32BE(8)) throw new Error('event stream: bad prelude CRC');
    if (crc32(msg.subarray(0, total - 4)) !== msg.readUInt32BE(total - 4)) throw new Error('event stream: bad CRC');
    const headersLength = msg.readUInt32BE(4);
    // No prototype: a header named __proto__ is a header like any other.
    const headers: Record<string, string> = Object.create(null);
    let h = 12;
    while (h < 12 + headersLength) {
      const nameLength = msg.readUInt8(h);
      const name = msg.subarray(h + 1, h + 1 + nameLength).toString('utf8');
      const type = msg.readUInt8(h + 1 + nameLength);
      if (type !== 7) throw new Error(`event stream: header ${name} has type ${type}, not string`);
      const valueLength = msg.readUInt16BE(h + 2 + nameLength);
      headers[name] = msg.subarray(h + 4 + nameLength, h + 4 + nameLength + valueLength).toString('utf8');
      h += 4 + nameLength + valueLength;
    }
    messages.push({ headers, payload: Buffer.from(msg.subarray(12 + headersLength, total - 4)) });
    at += total;
  }
  return { messages, rest: buffer.subarray(at) };
}
