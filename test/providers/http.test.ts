/**
 * The HTTP side of the JSON upstreams (src/providers/http.ts) on the edges the contract suite does
 * not reach: the bound on a whole answer's size (both the dispatch path and the stream path's
 * whole-JSON fallback), an error body far larger than what is kept, and a pool that stays usable.
 */

import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { HttpUpstream } from '../../src/providers/http.js';
import { ProviderError } from '../../src/providers/types.js';

const LIMIT = 1024;
let server: http.Server;
let upstream: HttpUpstream;

/** `{"pad":"xxx…"}` of `size` bytes, written in 100-byte chunks so that it arrives in several reads. */
function answer(res: http.ServerResponse, status: number, size: number): void {
  const body = Buffer.from(`{"pad":"${'x'.repeat(size - 10)}"}`);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(body.length) });
  for (let at = 0; at < body.length; at += 100) res.write(body.subarray(at, at + 100));
  res.end();
}

before(async () => {
  server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const size = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('size'));
      answer(res, req.url?.startsWith('/fail') ? 500 : 200, size);
    });
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  upstream = new HttpUpstream({
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    headers: {},
    timeoutMs: 10_000,
    maxConnections: 2,
    secrets: [],
    maxAnswerBytes: LIMIT,
  });
});

after(async () => {
  await upstream.close();
  server.closeAllConnections();
  await new Promise<void>((res) => server.close(() => res()));
});

function tooLarge(e: unknown): boolean {
  return e instanceof ProviderError && e.code === 'ModelErrorException' && /larger than 1024 bytes/.test(e.message);
}

test('a whole answer up to the bound is read; one past it is ModelErrorException, and the pool goes on', async () => {
  assert.deepEqual(Object.keys((await upstream.postJson('/ok?size=1024', {}, undefined)) as object), ['pad']);
  for (let i = 0; i < 3; i++) await assert.rejects(upstream.postJson('/ok?size=1025', {}, undefined), tooLarge);
  await assert.rejects(upstream.postJson('/ok?size=200000', {}, undefined), tooLarge);
  assert.deepEqual(Object.keys((await upstream.postJson('/ok?size=20', {}, undefined)) as object), ['pad']);
});

test("the stream path's whole-JSON fallback has the same bound", async () => {
  const small = await upstream.post('/ok?size=1000', {}, undefined, 'text/event-stream');
  assert.deepEqual(Object.keys((await upstream.readJson(small.body, undefined)) as object), ['pad']);
  const big = await upstream.post('/ok?size=5000', {}, undefined, 'text/event-stream');
  await assert.rejects(upstream.readJson(big.body, undefined), tooLarge);
});

test('an error body larger than the bound is the status error, not a size error', async () => {
  await assert.rejects(
    upstream.postJson('/fail?size=300000', {}, undefined),
    (e: unknown) =>
      e instanceof ProviderError &&
      e.code === 'ModelErrorException' &&
      /HTTP 500/.test(e.message) &&
      e.message.length < 700,
  );
});
