/**
 * `basalt policy validate [--kind K] FILE…`: prints every finding with its file and JSON path;
 * exits 1 when any document has errors, 0 when all are valid.
 */

import { readFileSync } from 'node:fs';
import { PolicyError, type PolicyKind, parsePolicy } from '../policy/index.js';
import { readArgs } from './args.js';

const KINDS: readonly PolicyKind[] = ['identity', 'resource', 'trust', 'scp', 'rcp', 'session', 'boundary'];

/** Runs `basalt policy validate`; resolves to the exit code. */
export async function policyValidate(argv: string[]): Promise<number> {
  const { flags, positional, error } = readArgs(argv, ['kind']);
  const kind = (flags.get('kind') ?? 'identity') as PolicyKind;
  if (error !== undefined || !KINDS.includes(kind) || positional.length === 0) {
    const why = error ?? (!KINDS.includes(kind) ? `unknown kind ${JSON.stringify(kind)}` : 'no file given');
    process.stderr.write(
      `basalt policy validate: ${why}; usage: basalt policy validate [--kind ${KINDS.join('|')}] FILE…\n`,
    );
    return 2;
  }
  let failed = false;
  for (const file of positional) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      process.stdout.write(`${file}: cannot read: ${e instanceof Error ? e.message : String(e)}\n`);
      failed = true;
      continue;
    }
    const result = parsePolicy(text, kind);
    if (result instanceof PolicyError) {
      failed = true;
      for (const f of result.findings) {
        process.stdout.write(
          `${file}: ${f.path === '' ? '(document)' : f.path}: ${f.code}: ${f.message} — ${f.detail}\n`,
        );
      }
    } else {
      process.stdout.write(
        `${file}: valid ${kind} policy (${result.statements.length} statement${result.statements.length === 1 ? '' : 's'})\n`,
      );
    }
  }
  return failed ? 1 : 0;
}
