/**
 * The one log line per request, written straight to the logger's destination in pino's own line
 * format (`{"level":30,"time":…,"pid":…,"hostname":…,…,"msg":"request"}`). pino serializes each
 * call's object with its generic machinery; for this fixed, flat line that cost 14 µs per request
 * in bench/gateway.ts-style load (12,470 → 15,040 requests/s on an unknown path with the line
 * switched off), against about 2 µs for one JSON.stringify. Other log lines still go through pino.
 */

import { type Logger, pino } from 'pino';

/** What the request line says: IDs, names and codes only — never a body, key or token. */
export interface RequestLogFields {
  requestId: string;
  service?: string;
  action?: string;
  caller?: string;
  status: number;
  error?: string;
  ms: number;
}

/** Writers with lines still waiting for their turn to end, flushed if the process exits first. */
const unflushed = new Set<() => void>();
let exiting = false;
let hooked = false;

function whenExiting(flush: () => void): void {
  unflushed.add(flush);
  if (hooked) return;
  hooked = true;
  process.once('exit', () => {
    exiting = true;
    for (const f of [...unflushed]) f();
  });
}

/** A writer of request lines for `log`; does nothing when `info` is not enabled. */
export function requestLogger(log: Logger): (fields: RequestLogFields) => void {
  if (!log.isLevelEnabled('info')) return () => {};
  const held = log as unknown as Record<symbol, unknown>;
  const stream = held[pino.symbols.streamSym] as { write(line: string): unknown } | undefined;
  const bindings = held[pino.symbols.chindingsSym];
  // A logger whose destination is not reachable (a custom pino setup) keeps pino's own path.
  if (stream === undefined || typeof stream.write !== 'function' || typeof bindings !== 'string') {
    return (fields) => log.info(fields, 'request');
  }
  const level = log.levels.values.info ?? 30;
  // The lines of one event-loop turn go to the destination in one write. pino's asynchronous
  // destination (sonic-boom) appends each write to its pending text and measures that whole text
  // again (Buffer.byteLength of a rope, flattened), so under load a line per write copied kilobytes
  // per request: 3.2 KB allocated per Converse at 1,500 requests/s, 1.4 KB with one write per turn
  // (bench/README.md). A line waits at most until the turn ends (setImmediate), before any shutdown
  // flush; a process that exits within the turn (an uncaught error, process.exit) writes it on the
  // way out. A pino line written in the same turn may precede the request lines logged before it.
  let pending = '';
  const flush = (): void => {
    unflushed.delete(flush);
    const lines = pending;
    pending = '';
    stream.write(lines);
    if (exiting) {
      try {
        (stream as { flushSync?: () => void }).flushSync?.();
      } catch {
        // The destination cannot be flushed synchronously (not open yet, or busy): nothing more to do.
      }
    }
  };
  return (fields) => {
    const body = JSON.stringify(fields);
    if (pending === '') {
      setImmediate(flush);
      whenExiting(flush);
    }
    pending += `{"level":${level},"time":${Date.now()}${bindings},${body.slice(1, -1)},"msg":"request"}\n`;
  };
}
