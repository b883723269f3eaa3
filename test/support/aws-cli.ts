/**
 * The `aws` command line against a test server: found as BASALT_AWS_CLI, `aws` on PATH, or this
 * machine's pyenv shim; run with only the credentials given (no config or credentials files).
 * Tests that need it skip with a reason outside CI when it is missing, and fail under CI=true.
 */

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

/** Credentials for one CLI run; none for unsigned calls. */
export interface CliCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

function findAws(): string | undefined {
  const candidates = [
    process.env.BASALT_AWS_CLI,
    ...(process.env.PATH ?? '').split(':').map((d) => join(d, 'aws')),
    '/root/.pyenv/shims/aws',
  ];
  return candidates.find((c): c is string => c !== undefined && c !== '' && existsSync(c));
}

/** The aws CLI's path, or undefined when this machine has none. */
export const AWS_CLI = findAws();

/** Registers a test that stands in for CLI tests when there is no CLI: a skip, or a failure under CI. */
export function missingAwsCli(name: string): void {
  if (process.env.CI === 'true')
    test(name, () => assert.fail('no aws command line found (CI=true: .ci/run provides it)'));
  else test(name, { skip: 'no aws command line on this machine (set BASALT_AWS_CLI)' }, () => {});
}

/** Runs `aws --endpoint-url URL --output json ARGS`. */
export function runAws(
  url: string,
  args: string[],
  creds?: CliCredentials,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      AWS_CLI ?? 'aws',
      ['--endpoint-url', url, '--output', 'json', ...args],
      {
        env: {
          ...process.env,
          AWS_ACCESS_KEY_ID: creds?.accessKeyId ?? '',
          AWS_SECRET_ACCESS_KEY: creds?.secretAccessKey ?? '',
          ...(creds?.sessionToken === undefined ? {} : { AWS_SESSION_TOKEN: creds.sessionToken }),
          AWS_DEFAULT_REGION: 'us-east-1',
          AWS_CONFIG_FILE: '/dev/null',
          AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
          AWS_PAGER: '',
        },
        timeout: 60_000,
      },
      (err, stdout, stderr) =>
        resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, stdout, stderr }),
    );
  });
}

/** Runs the CLI and parses its JSON output; fails the test when it exits non-zero. */
export async function awsJson(url: string, args: string[], creds?: CliCredentials): Promise<Record<string, unknown>> {
  const r = await runAws(url, args, creds);
  assert.equal(r.code, 0, `aws ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout.trim() === '' ? {} : (JSON.parse(r.stdout) as Record<string, unknown>);
}

/**
 * For a CLI step inside a larger test: true when the CLI is here; otherwise skips the test with a
 * reason (outside CI) or fails it (CI=true).
 */
export function haveAwsCli(t: { skip(message?: string): void }): boolean {
  if (AWS_CLI !== undefined) return true;
  if (process.env.CI === 'true') assert.fail('no aws command line found (CI=true: .ci/run provides it)');
  t.skip('no aws command line on this machine (set BASALT_AWS_CLI)');
  return false;
}
