/**
 * A small closed-loop HTTP/1.1 load generator: `connections` keep-alive sockets, each sending the
 * next request as soon as the previous response is complete, replaying pre-built request bytes
 * (so the client spends almost nothing per request). Run as a child process so it does not share
 * an event loop with what it measures. Prints one JSON line: requests, seconds, per-second,
 * latency percentiles and status counts.
 */

import net from 'node:net';

interface LoadSpec {
  host: string;
  port: number;
  connections: number;
  seconds: number;
  /** Request bytes (base64), used round-robin. */
  requests: string[];
}

/** Runs the load described by `spec` and resolves to the figures. */
export async function runLoad(spec: LoadSpec) {
  const payloads = spec.requests.map((r) => Buffer.from(r, 'base64'));
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let done = 0;
  let next = 0;
  const start = performance.now();
  const deadline = start + spec.seconds * 1000;
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const socket = net.connect(spec.port, spec.host);
      socket.setNoDelay(true);
      let buffer: Buffer = Buffer.alloc(0);
      let sentAt = 0;
      const send = () => {
        if (performance.now() >= deadline) {
          socket.end();
          resolve();
          return;
        }
        sentAt = performance.now();
        socket.write(payloads[next++ % payloads.length] as Buffer);
      };
      socket.on('connect', send);
      socket.on('error', reject);
      socket.on('data', (chunk: Buffer) => {
        buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
        for (;;) {
          const head = buffer.indexOf('\r\n\r\n');
          if (head < 0) return;
          const headers = buffer.subarray(0, head).toString('latin1');
          const length = Number(/content-length:\s*(\d+)/i.exec(headers)?.[1] ?? '0');
          if (buffer.length < head + 4 + length) return;
          const status = headers.slice(9, 12);
          statuses[status] = (statuses[status] ?? 0) + 1;
          buffer = buffer.subarray(head + 4 + length);
          latencies.push(performance.now() - sentAt);
          done++;
          send();
        }
      });
    });
  await Promise.all(Array.from({ length: spec.connections }, one));
  const seconds = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0;
  return { requests: done, seconds, perSecond: done / seconds, p50ms: pct(0.5), p99ms: pct(0.99), statuses };
}

if (process.argv[2] === '--child') {
  const spec = JSON.parse(process.argv[3] ?? '{}') as LoadSpec;
  process.stdout.write(`${JSON.stringify(await runLoad(spec))}\n`);
}
