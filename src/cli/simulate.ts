/**
 * `basalt simulate`: JSON Lines in (stdin or --file), JSON Lines out, one result per non-empty input
 * line, in order. A malformed line yields an error line and the run goes on.
 */

import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { readJson, simulateCase } from '../policy/index.js';
import { readArgs } from './args.js';

/** Evaluates one input line; returns the output line (without newline). */
export function simulateLine(line: string, lineNumber: number): string {
  // The strict reader refuses duplicate keys, which JSON.parse would silently collapse inside policies.
  const read = readJson(line);
  if (!read.ok) {
    const message = `line ${lineNumber} is not valid JSON: ${read.message} at character ${read.offset}`;
    return JSON.stringify({ line: lineNumber, error: { code: 'InvalidInput', message } });
  }
  return JSON.stringify(simulateCase(read.value));
}

/** Runs `basalt simulate` with its arguments; resolves to the exit code. */
export async function simulate(argv: string[]): Promise<number> {
  const { flags, positional, error } = readArgs(argv, ['file']);
  if (error !== undefined || positional.length > 0) {
    process.stderr.write(
      `basalt simulate: ${error ?? `unexpected argument ${positional[0]}`}; usage: basalt simulate [--file F]\n`,
    );
    return 2;
  }
  const file = flags.get('file');
  const input = file === undefined ? process.stdin : createReadStream(file);
  const opened = new Promise<void>((resolve, reject) => {
    input.once('error', reject);
    if (file === undefined) resolve();
    else input.once('open', () => resolve());
  });
  try {
    await opened;
  } catch (e) {
    process.stderr.write(`basalt simulate: cannot read ${file}: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let n = 0;
  let buffer = '';
  for await (const line of lines) {
    n++;
    if (line.trim() === '') continue;
    buffer += `${simulateLine(line, n)}\n`;
    if (buffer.length > 65536) {
      if (!process.stdout.write(buffer)) await once(process.stdout, 'drain');
      buffer = '';
    }
  }
  if (buffer.length > 0) process.stdout.write(buffer);
  return 0;
}
