/**
 * Idle connections are closed (BASALT_IDLE_TIMEOUT_MS, here 400 ms): an HTTP/1.1 keep-alive
 * connection between requests, and an HTTP/2 session with no open stream. An HTTP/2 session with a
 * stream open stays, however long the stream is quiet (a model call may send nothing for minutes).
 */

import assert from 'node:assert/strict';
import http2 from 'node:http2';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { startBasalt, type TestServer } from '../support/basalt.js';

const IDLE_MS = 400;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('idle connections', () => {
  let server: TestServer;
  before(async () => {
    server = await startBasalt({ env: { BASALT_IDLE_TIMEOUT_MS: String(IDLE_MS) } });
  });
  after(() => server?.destroy());

  test('an HTTP/2 session with no open stream is closed after the idle timeout', async () => {
    const session = http2.connect(server.url);
    const closed = new Promise<void>((r) => session.once('close', () => r()));
    const status = await new Promise<number>((resolve, reject) => {
      const req = session.request({ ':method': 'GET', ':path': '/foundation-models' });
      req.on('response', (h) => resolve(Number(h[':status'])));
      req.on('error', reject);
      req.resume();
      req.end();
    });
    assert.equal(status, 403); // unsigned
    const started = Date.now();
    await closed;
    assert.ok(Date.now() - started >= IDLE_MS / 2, 'closed before it was idle');
  });

  test('an HTTP/2 session with a quiet stream open stays open, and closes once it ends', async () => {
    const session = http2.connect(server.url);
    let closed = false;
    session.once('close', () => {
      closed = true;
    });
    // A body that has not arrived whole: the stream stays open, nothing moves on it.
    const req = session.request({ ':method': 'POST', ':path': '/model/x/converse', 'content-length': '10' });
    const answered = new Promise<number>((resolve, reject) => {
      req.on('response', (h) => resolve(Number(h[':status'])));
      req.on('error', reject);
    });
    req.resume();
    req.write('{"a":');
    await sleep(IDLE_MS * 3);
    assert.equal(closed, false, 'a session with an open stream was closed');
    req.end('1}   ');
    assert.equal(await answered, 403);
    for (let i = 0; i < 20 && !closed; i++) await sleep(IDLE_MS / 2);
    assert.equal(closed, true, 'the session stayed open after its stream ended');
  });

  test('an HTTP/1.1 keep-alive connection is closed after the idle timeout', async () => {
    const socket = net.connect(server.port, '127.0.0.1');
    let answer = '';
    socket.on('data', (d) => {
      answer += d.toString('latin1');
    });
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    socket.write('GET /foundation-models HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n');
    for (let i = 0; i < 50 && !answer.includes('\r\n\r\n'); i++) await sleep(20);
    assert.match(answer, /^HTTP\/1\.1 403[\s\S]*connection: keep-alive/i);
    const started = Date.now();
    await closed;
    assert.ok(Date.now() - started >= IDLE_MS / 2, 'closed before it was idle');
  });
});
