// The request line is written in pino's own format, beside pino's lines, and says nothing more than
// its fields; a logger above `info` writes none.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { pino } from 'pino';
import { requestLogger } from '../../src/server/request-log.ts';

function capture(level: string) {
  const lines: string[] = [];
  const writes: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      writes.push(chunk.toString('utf8'));
      lines.push(
        ...chunk
          .toString('utf8')
          .split('\n')
          .filter((l) => l !== ''),
      );
      done();
    },
  });
  return { log: pino({ level }, stream), lines, writes };
}

test('the request line has the shape of a pino line', async () => {
  const { log, lines } = capture('info');
  log.info({ requestId: 'r0', status: 200 }, 'request');
  requestLogger(log)({
    requestId: 'r1',
    service: 'bedrock',
    action: 'Converse',
    status: 403,
    error: 'AccessDeniedException',
    ms: 1.5,
  });
  await new Promise((r) => setImmediate(r));
  const [viaPino, ours] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.ok(viaPino && ours);
  assert.deepEqual(Object.keys(ours).slice(0, 4), Object.keys(viaPino).slice(0, 4));
  assert.equal(ours.level, 30);
  assert.equal(ours.pid, viaPino.pid);
  assert.equal(ours.msg, 'request');
  assert.deepEqual(
    { ...ours, time: 0, pid: 0, hostname: '' },
    {
      level: 30,
      time: 0,
      pid: 0,
      hostname: '',
      requestId: 'r1',
      service: 'bedrock',
      action: 'Converse',
      status: 403,
      error: 'AccessDeniedException',
      ms: 1.5,
      msg: 'request',
    },
  );
});

test('absent fields are left out, and nothing is written above info', async () => {
  const info = capture('info');
  requestLogger(info.log)({ requestId: 'r2', status: 200, ms: 0.1, caller: undefined });
  await new Promise((r) => setImmediate(r));
  assert.equal('caller' in (JSON.parse(info.lines[0] ?? '{}') as object), false);
  const warn = capture('warn');
  requestLogger(warn.log)({ requestId: 'r3', status: 200, ms: 0.1 });
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(warn.lines, []);
});

test('the lines of one event-loop turn reach the destination in one write, in order', async () => {
  const { log, lines, writes } = capture('info');
  const write = requestLogger(log);
  for (let i = 0; i < 3; i++) write({ requestId: `t${i}`, status: 200, ms: 0.1 });
  assert.deepEqual(lines, []);
  await new Promise((r) => setImmediate(r));
  assert.equal(writes.length, 1);
  assert.deepEqual(
    lines.map((l) => (JSON.parse(l) as { requestId: string }).requestId),
    ['t0', 't1', 't2'],
  );
  write({ requestId: 't3', status: 200, ms: 0.1 });
  await new Promise((r) => setImmediate(r));
  assert.equal(writes.length, 2);
  assert.equal(lines.length, 4);
});

test('a process that exits within the turn still writes its request lines', () => {
  const script = [
    "import { pino } from 'pino';",
    "import { requestLogger } from './src/server/request-log.ts';",
    "const log = pino({ level: 'info' }, pino.destination({ dest: 1, sync: false, minLength: 4096 }));",
    "requestLogger(log)({ requestId: 'last-words', status: 200, ms: 0.1 });",
    'process.exit(0);',
  ].join('\n');
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: join(import.meta.dirname, '..', '..'),
    encoding: 'utf8',
  });
  assert.match(out, /"requestId":"last-words"/);
});
