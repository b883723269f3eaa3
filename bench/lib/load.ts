/**
 * A small HTTP/1.1 load generator over keep-alive sockets, replaying pre-built request bytes (so
 * the client spends almost nothing per request). Run as a child process so it does not share an
 * event loop with what it measures. Prints one JSON line: requests, seconds, per-second, latency
 * percentiles and status counts.
 *
 * Two modes:
 * - closed loop (no `rate`): `connections` sockets, each sending the next request as soon as the
 *   previous response is complete — the saturation throughput;
 * - open loop (`rate` requests per second): requests fall due on a fixed schedule whatever the
 *   server does, each sent on an idle socket or queued until one is free. A request's latency runs
 *   from the moment the generator found it due (so time spent queued behind a slow server counts,
 *   and the generator's own timer lateness does not), which a closed loop cannot measure: it slows
 *   down with the server ("coordinated omission").
 *
 * Responses are framed by content-length or chunked transfer encoding (no trailers).
 */

import net from 'node:net';

/** What to run. */
export interface LoadSpec {
  host: string;
  port: number;
  connections: number;
  /** The measured time. */
  seconds: number;
  /** Load before the measured time, same mode and rate, not counted (default 0). */
  warmupSeconds?: number;
  /** Open loop at this many requests per second; a closed loop when absent. */
  rate?: number;
  /** Request bytes (base64), used round-robin. */
  requests: string[];
}

/** The figures of one run (latencies in milliseconds). */
export interface LoadResult {
  requests: number;
  seconds: number;
  perSecond: number;
  /** Open loop: the scheduled rate. */
  offeredPerSecond?: number;
  p50ms: number;
  p90ms: number;
  p99ms: number;
  p999ms: number;
  maxms: number;
  /** Status codes by count; `closed` counts requests lost to a connection the server closed. */
  statuses: Record<string, number>;
}

const HEAD_END = Buffer.from('\r\n\r\n');
const CRLF = Buffer.from('\r\n');

/**
 * The length of the first complete response in `buffer` and its status, or undefined while it is
 * incomplete.
 */
export function responseFrame(buffer: Buffer): { length: number; status: string } | undefined {
  const head = buffer.indexOf(HEAD_END);
  if (head < 0) return undefined;
  const headers = buffer.subarray(0, head).toString('latin1');
  const status = headers.slice(9, 12);
  const declared = /\r\ncontent-length:\s*(\d+)/i.exec(headers);
  if (declared !== null) {
    const length = head + 4 + Number(declared[1]);
    return buffer.length < length ? undefined : { length, status };
  }
  if (!/\r\ntransfer-encoding:[^\r]*chunked/i.test(headers)) return { length: head + 4, status };
  let at = head + 4;
  for (;;) {
    const eol = buffer.indexOf(CRLF, at);
    if (eol < 0) return undefined;
    const size = Number.parseInt(buffer.subarray(at, eol).toString('latin1'), 16);
    // The last chunk is followed by an empty trailer section: one more CRLF.
    at = eol + 2 + size + 2;
    if (buffer.length < at) return undefined;
    if (size === 0) return { length: at, status };
  }
}

/** Runs the load described by `spec` and resolves to the figures. */
export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const payloads = spec.requests.map((r) => Buffer.from(r, 'base64'));
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let next = 0;
  const warmupMs = (spec.warmupSeconds ?? 0) * 1000;
  // Moved to when the schedule starts in the open loop (after the sockets have connected).
  let measureFrom = performance.now() + warmupMs;
  let deadline = measureFrom + spec.seconds * 1000;
  const count = (status: string, dueAt: number, now: number): void => {
    if (dueAt < measureFrom || dueAt >= deadline) return;
    statuses[status] = (statuses[status] ?? 0) + 1;
    if (status !== 'closed') latencies.push(now - dueAt);
  };

  // Open loop: due times not yet sent (no idle socket), and the idle sockets, oldest first.
  const backlog: number[] = [];
  const idle: Connection[] = [];
  let outstanding = 0;
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });

  /** One keep-alive socket; reopened when the server closes it before the run ends. */
  class Connection {
    #socket: net.Socket;
    #buffer: Buffer = Buffer.alloc(0);
    /** When the request in flight fell due; undefined when idle. */
    #dueAt: number | undefined;
    #connected = false;

    constructor(private readonly onIdle: (c: Connection) => void) {
      this.#socket = this.#open();
    }

    #open(): net.Socket {
      const socket = net.connect(spec.port, spec.host);
      socket.setNoDelay(true);
      this.#connected = false;
      this.#buffer = Buffer.alloc(0);
      socket.on('connect', () => {
        this.#connected = true;
        if (this.#dueAt !== undefined) socket.write(payloads[next++ % payloads.length] as Buffer);
        else this.onIdle(this);
      });
      socket.on('error', () => socket.destroy());
      socket.on('close', () => {
        this.#connected = false;
        if (this.#dueAt !== undefined) {
          count('closed', this.#dueAt, performance.now());
          this.#done();
        }
        if (performance.now() < deadline) this.#socket = this.#open();
      });
      socket.on('data', (chunk: Buffer) => {
        this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
        for (;;) {
          const response = responseFrame(this.#buffer);
          if (response === undefined) return;
          this.#buffer = this.#buffer.subarray(response.length);
          if (this.#dueAt !== undefined) count(response.status, this.#dueAt, performance.now());
          this.#done();
        }
      });
      return socket;
    }

    #done(): void {
      this.#dueAt = undefined;
      outstanding--;
      this.onIdle(this);
    }

    /** Sends the next request, due at `dueAt`. */
    send(dueAt: number): void {
      this.#dueAt = dueAt;
      outstanding++;
      if (this.#connected) this.#socket.write(payloads[next++ % payloads.length] as Buffer);
    }

    close(): void {
      this.#socket.end();
    }
  }

  const connections: Connection[] = [];
  if (spec.rate === undefined) {
    // Closed loop: every socket sends again as soon as it is idle, until the deadline.
    let open = spec.connections;
    const onIdle = (c: Connection): void => {
      const now = performance.now();
      if (now < deadline) {
        c.send(now);
        return;
      }
      c.close();
      if (--open === 0) finish();
    };
    for (let i = 0; i < spec.connections; i++) connections.push(new Connection(onIdle));
    await finished;
  } else {
    const interval = 1000 / spec.rate;
    let issued = 0;
    let stopped = false;
    const onIdle = (c: Connection): void => {
      const dueAt = backlog.shift();
      if (dueAt !== undefined) c.send(dueAt);
      else if (!idle.includes(c)) idle.push(c);
      if (stopped && outstanding === 0 && backlog.length === 0) finish();
    };
    for (let i = 0; i < spec.connections; i++) connections.push(new Connection(onIdle));
    // The schedule starts once every socket has connected.
    const connectBy = performance.now() + 5000;
    while (idle.length < spec.connections) {
      if (performance.now() > connectBy) throw new Error(`cannot connect to ${spec.host}:${spec.port}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const scheduleStart = performance.now();
    measureFrom = scheduleStart + warmupMs;
    deadline = measureFrom + spec.seconds * 1000;
    const tick = (): void => {
      const now = performance.now();
      // Every request whose scheduled time has come, stamped with now (see the top comment).
      while (scheduleStart + issued * interval <= now && now < deadline) {
        issued++;
        const c = idle.shift();
        if (c === undefined) backlog.push(now);
        else c.send(now);
      }
      if (now >= deadline) {
        stopped = true;
        if (outstanding === 0 && backlog.length === 0) finish();
        return;
      }
      setTimeout(tick, Math.max(0, scheduleStart + issued * interval - performance.now()));
    };
    tick();
    // The run ends when everything sent is answered, or 10 s after the schedule at the latest.
    await Promise.race([finished, new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
    for (const c of connections) c.close();
  }
  const seconds = spec.seconds;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0;
  const requests = latencies.length;
  return {
    requests,
    seconds,
    perSecond: requests / seconds,
    ...(spec.rate === undefined ? {} : { offeredPerSecond: spec.rate }),
    p50ms: pct(0.5),
    p90ms: pct(0.9),
    p99ms: pct(0.99),
    p999ms: pct(0.999),
    maxms: latencies.at(-1) ?? 0,
    statuses,
  };
}

if (process.argv[2] === '--child') {
  const spec = JSON.parse(process.argv[3] ?? '{}') as LoadSpec;
  process.stdout.write(`${JSON.stringify(await runLoad(spec))}\n`);
  process.exit(0);
}
