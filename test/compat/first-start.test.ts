/**
 * The README's main command on a fresh directory: `basalt serve` with its embedded defaults creates
 * `.basalt/` (SQLite, a 0600 master key, 0600 root credentials), prints the root key once with the
 * `aws` commands to try, and the printed key works; a restart prints nothing new. Bad settings are
 * refused with a message naming them.
 */

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { callQuery } from '../support/query.js';

const BIN = resolve(import.meta.dirname, '..', '..', 'bin', 'basalt');

/** Env without any BASALT_* setting, so the defaults apply; port 0 keeps parallel runs apart. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('BASALT_')) env[k] = v;
  return { ...env, BASALT_PORT: '0' };
}

async function serveIn(
  cwd: string,
): Promise<{ url: string; stderr: () => string; stop: () => Promise<number | null> }> {
  const child = spawn(process.execPath, [BIN, 'serve'], { cwd, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const url = await new Promise<string>((res, rej) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.includes('"basalt listening"')) res((JSON.parse(line) as { url: string }).url);
    });
    void exited.then((code) => rej(new Error(`exited ${code}: ${stderr}`)));
  });
  // The credentials banner is written right after the listening line.
  await new Promise((r) => setTimeout(r, 200));
  return {
    url,
    stderr: () => stderr,
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

test('first start on embedded defaults, then a quiet restart', { timeout: 60_000 }, async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'basalt-first-'));
  try {
    const first = await serveIn(cwd);
    const banner = first.stderr();
    const keyId = /AWS_ACCESS_KEY_ID=(AKIA[A-Z2-7]{16})/.exec(banner)?.[1];
    const secret = /AWS_SECRET_ACCESS_KEY=(\S{40})/.exec(banner)?.[1];
    assert.ok(keyId !== undefined && secret !== undefined, banner);
    assert.match(banner, new RegExp(`aws --endpoint-url ${first.url} sts get-caller-identity`));
    const id = await callQuery(
      first.url,
      { accessKeyId: keyId, secretAccessKey: secret },
      'GetCallerIdentity',
      {},
      'sts',
    );
    assert.equal(id.status, 200, id.body);
    assert.match(id.body, /<Arn>arn:aws:iam::\d{12}:root<\/Arn>/);
    for (const file of ['master.key', 'root-credentials']) {
      assert.equal(statSync(join(cwd, '.basalt', file)).mode & 0o777, 0o600, file);
    }
    assert.equal(statSync(join(cwd, '.basalt')).mode & 0o777, 0o700);
    assert.match(
      readFileSync(join(cwd, '.basalt', 'root-credentials'), 'utf8'),
      new RegExp(`aws_access_key_id = ${keyId}`),
    );
    assert.ok(statSync(join(cwd, '.basalt', 'basalt.db')).isFile());
    assert.equal(await first.stop(), 0);

    const second = await serveIn(cwd);
    assert.doesNotMatch(second.stderr(), /AWS_SECRET_ACCESS_KEY/);
    const again = await callQuery(
      second.url,
      { accessKeyId: keyId, secretAccessKey: secret },
      'GetCallerIdentity',
      {},
      'sts',
    );
    assert.equal(again.status, 200, 'the stored key still works after a restart');
    assert.equal(await second.stop(), 0);
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
});

test('bad settings are refused with a message naming them', () => {
  for (const [env, pattern] of [
    [{ BASALT_PORT: 'eighty' }, /port must be a number/],
    [{ BASALT_ACCOUNT_ID: '12' }, /BASALT_ACCOUNT_ID must be 12 digits/],
    [
      { BASALT_ROOT_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE' },
      /set both BASALT_ROOT_ACCESS_KEY_ID and BASALT_ROOT_SECRET_ACCESS_KEY/,
    ],
    [{ BASALT_DATABASE_URL: 'mysql://x' }, /must start with postgres:\/\//],
  ] as const) {
    const r = spawnSync(process.execPath, [BIN, 'serve'], { env: { ...cleanEnv(), ...env }, timeout: 30_000 });
    assert.equal(r.status, 2, r.stderr.toString());
    assert.match(r.stderr.toString(), pattern);
  }
  const flag = spawnSync(process.execPath, [BIN, 'serve', '--bogus', '1'], { env: cleanEnv() });
  assert.equal(flag.status, 2);
  assert.match(flag.stderr.toString(), /unknown option --bogus/);
});
