/**
 * The "minimal proxy" peer of the gateway benchmark, the ceiling of any Node.js proxy on this
 * machine: a node:http server that reads each request body, forwards method, path, content type and
 * body to the upstream over an undici Pool (keep-alive), and answers the upstream's status, content
 * type and body. Nothing is parsed, checked or logged. Takes the upstream URL and the pool size as
 * arguments; prints its port as one JSON line.
 */

import http from 'node:http';
import { Pool } from 'undici';
import { servePeer } from './serve-peer.ts';

const upstream = process.argv[2] ?? 'http://127.0.0.1:8000';
const pool = new Pool(upstream, { connections: Number(process.argv[3] ?? '32') });

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    pool
      .request({
        method: req.method === 'GET' ? 'GET' : 'POST',
        path: req.url ?? '/',
        headers: { 'content-type': req.headers['content-type'] ?? 'application/json' },
        body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks),
      })
      .then(async (answer) => {
        const body = Buffer.from(await answer.body.arrayBuffer());
        res.writeHead(answer.statusCode, {
          'content-type': String(answer.headers['content-type'] ?? 'application/json'),
          'content-length': String(body.length),
        });
        res.end(body);
      })
      .catch((e: unknown) => {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(String(e));
      });
  });
});
servePeer(server, pool);
