/**
 * Starts the real `basalt serve` as a child process on a free port, with a fresh data directory
 * (SQLite) or a fresh PostgreSQL database, and known root credentials — for tests that drive it
 * with the AWS SDK, the `aws` CLI or raw HTTP.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { freshDatabase, type TestDatabase } from './postgres.js';

const repo = resolve(import.meta.dirname, '..', '..');

/** Root credentials every test server starts with. */
export const ROOT = {
  accountId: '123456789012',
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
};

/** A fixed master key for test servers (tests restart servers on the same data). */
export const TEST_MASTER_KEY = '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff';

/** A running test server. */
export interface TestServer {
  url: string;
  port: number;
  dataDir: string;
  database?: TestDatabase;
  child: ChildProcess;
  /** Everything the server wrote to stdout and stderr. */
  output: string[];
  /** SIGTERM and wait for exit. */
  stop(): Promise<number | null>;
  /** SIGKILL and wait for exit. */
  kill(): Promise<void>;
  /** Stops it and removes its data directory and database. */
  destroy(): Promise<void>;
}

/** Options: the store, and an existing data dir or database to restart on. */
export interface StartOptions {
  store?: 'sqlite' | 'postgres';
  dataDir?: string;
  database?: TestDatabase;
  env?: Record<string, string>;
  port?: number;
  /** Keep collecting the server's output after it listens (default true; benchmarks turn it off). */
  keepOutput?: boolean;
}

/** Starts `bin/basalt serve`; resolves once it listens. */
export async function startBasalt(options: StartOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'basalt-test-'));
  const database = options.store === 'postgres' ? (options.database ?? (await freshDatabase())) : undefined;
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    BASALT_PORT: String(options.port ?? 0),
    BASALT_DATA_DIR: dataDir,
    BASALT_ACCOUNT_ID: ROOT.accountId,
    BASALT_ROOT_ACCESS_KEY_ID: ROOT.accessKeyId,
    BASALT_ROOT_SECRET_ACCESS_KEY: ROOT.secretAccessKey,
    BASALT_MASTER_KEY: TEST_MASTER_KEY,
    BASALT_LOG_LEVEL: 'info',
    ...(database === undefined ? {} : { BASALT_DATABASE_URL: database.url }),
    ...options.env,
  };
  const child = spawn(process.execPath, [join(repo, 'bin', 'basalt'), 'serve'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (l) => output.push(l));
  const url = await new Promise<string>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`basalt did not start in 30 s:\n${output.join('\n')}`)), 30_000);
    let listening = false;
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      if (!listening || options.keepOutput !== false) output.push(line);
      if (!listening && line.includes('"basalt listening"')) {
        listening = true;
        clearTimeout(timer);
        res((JSON.parse(line) as { url: string }).url);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      rej(new Error(`basalt exited with ${code} before listening:\n${output.join('\n')}`));
    });
  });
  const port = Number(new URL(url).port);
  const server: TestServer = {
    url,
    port,
    dataDir,
    child,
    output,
    ...(database === undefined ? {} : { database }),
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
    async kill() {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
    async destroy() {
      await server.stop();
      if (options.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true });
      if (database !== undefined && options.database === undefined) await database.drop();
    },
  };
  return server;
}
