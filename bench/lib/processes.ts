/**
 * The child processes of the gateway benchmark: helper servers that announce themselves with one
 * JSON line on stdout, Portkey's gateway (which announces itself with a banner), and the load
 * generator (lib/load.ts). Every server runs in its own process so no two of them share an event
 * loop.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { LoadResult, LoadSpec } from './load.ts';

const here = import.meta.dirname;
const repo = resolve(here, '..', '..');

/** A running helper process. */
export interface Helper<T> {
  /** What it printed on its first line (parsed JSON), or the banner line. */
  announced: T;
  child: ChildProcess;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
}

function stopper(child: ChildProcess): () => Promise<void> {
  const exited = new Promise<void>((res) => child.once('exit', () => res()));
  return async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    // A process that ignores SIGTERM is not allowed to hold the benchmark up.
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
}

/** Starts `bench/lib/<script>` under tsx with `args`; resolves once it prints its JSON line. */
export async function startHelper<T>(script: string, args: string[]): Promise<Helper<T>> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, script), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const announced = await new Promise<T>((res, rej) => {
    child.once('exit', (code) => rej(new Error(`${script} exited with ${code} before it was ready`)));
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', (l) => res(JSON.parse(l) as T));
  });
  return { announced, child, stop: stopper(child) };
}

/** A TCP port nobody listens on right now (for servers that cannot be told to pick one). */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const server = net.createServer();
    server.once('error', rej);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => res(port));
    });
  });
}

/**
 * Starts Portkey's gateway (`@portkey-ai/gateway`, its Node.js server `build/start-server.js`, the
 * package's `bin`) headless on `port`; resolves once it prints "Ready for connections". Its output
 * is kept (the last 50 lines) for the error message if it fails.
 */
export async function startPortkey(port: number): Promise<Helper<string> & { output: string[] }> {
  const entry = join(repo, 'node_modules', '@portkey-ai', 'gateway', 'build', 'start-server.js');
  const child = spawn(process.execPath, [entry, `--port=${port}`, '--headless'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const keep = (line: string): void => {
    output.push(line);
    if (output.length > 50) output.shift();
  };
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', keep);
  const announced = await new Promise<string>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`Portkey did not start in 20 s:\n${output.join('\n')}`)), 20_000);
    child.once('exit', (code) => rej(new Error(`Portkey exited with ${code}:\n${output.join('\n')}`)));
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      keep(line);
      if (line.includes('Ready for connections')) {
        clearTimeout(timer);
        res(line);
      }
    });
  });
  return { announced, child, output, stop: stopper(child) };
}

/** Runs lib/load.ts in a child process (so it shares no event loop with what it measures). */
export function runLoadChild(spec: LoadSpec): Promise<LoadResult> {
  return new Promise((resolveLoad, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'load.ts'), '--child', JSON.stringify(spec)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.on('exit', (code) =>
      code === 0 ? resolveLoad(JSON.parse(out) as LoadResult) : reject(new Error(`load generator exited ${code}`)),
    );
  });
}
