// The vnd.amazon.eventstream codec: what the encoder writes, the decoder reads back (the AWS SDK
// reads it too: test/compat/bedrock-*.test.ts); a flipped byte anywhere is caught by a CRC; a
// message split across reads is kept for the next one.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  decodeEventMessages,
  encodeEvent,
  encodeEventMessage,
  encodeExceptionEvent,
} from '../../src/protocols/event-stream.ts';

test('events and exceptions decode to what was encoded', () => {
  const both = Buffer.concat([
    encodeEvent('chunk', { bytes: 'aGk=' }),
    encodeExceptionEvent('throttlingException', 'slow down'),
  ]);
  const { messages, rest } = decodeEventMessages(both);
  assert.equal(rest.length, 0);
  assert.deepEqual(
    { ...messages[0]?.headers },
    {
      ':event-type': 'chunk',
      ':content-type': 'application/json',
      ':message-type': 'event',
    },
  );
  assert.deepEqual(JSON.parse(messages[0]?.payload.toString('utf8') ?? ''), { bytes: 'aGk=' });
  assert.equal(messages[1]?.headers[':message-type'], 'exception');
  assert.equal(messages[1]?.headers[':exception-type'], 'throttlingException');
  assert.deepEqual(JSON.parse(messages[1]?.payload.toString('utf8') ?? ''), { message: 'slow down' });
});

test('round trip for any headers and payload, whole or in two reads', () => {
  fc.assert(
    fc.property(
      fc.dictionary(fc.string({ minLength: 1, maxLength: 20 }), fc.string({ maxLength: 50 }), { maxKeys: 5 }),
      fc.uint8Array({ maxLength: 300 }),
      fc.nat(),
      (headers, payload, cut) => {
        const bytes = encodeEventMessage(headers, payload);
        const at = cut % (bytes.length + 1);
        const first = decodeEventMessages(bytes.subarray(0, at));
        const second = decodeEventMessages(Buffer.concat([first.rest, bytes.subarray(at)]));
        const all = [...first.messages, ...second.messages];
        assert.equal(all.length, 1);
        assert.deepEqual(Object.entries(all[0]?.headers ?? {}), Object.entries(headers));
        assert.deepEqual(new Uint8Array(all[0]?.payload ?? []), payload);
      },
    ),
  );
});

test('a flipped byte is a CRC error', () => {
  const bytes = encodeEvent('chunk', { bytes: 'x' });
  for (let i = 0; i < bytes.length; i++) {
    const bad = Buffer.from(bytes);
    bad[i] = (bad[i] ?? 0) ^ 0x01;
    // Corrupting the length fields may leave a "message" that is not complete yet: no output, no error.
    try {
      const { messages } = decodeEventMessages(bad);
      assert.equal(messages.length, 0, `byte ${i} flipped went unnoticed`);
    } catch (e) {
      assert.match((e as Error).message, /CRC|type/);
    }
  }
});
