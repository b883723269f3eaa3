/**
 * The `basalt` command line: `serve`, `simulate` and `policy validate`.
 */

import { readFileSync } from 'node:fs';
import { policyValidate } from './policy-validate.js';
import { serve } from './serve.js';
import { simulate } from './simulate.js';

const USAGE = `basalt — AWS-compatible identity and access management for AI models

Usage:
  basalt serve [--host H] [--port P] [--data-dir D] [--database-url postgres://…]
                                         run the server (default 127.0.0.1:8700, SQLite in ./.basalt)
  basalt simulate [--file F]             evaluate JSON Lines cases from F or stdin; one result line each
  basalt policy validate [--kind K] FILE…  check policy documents; exits 1 when any has errors
                                         (K: identity, resource, trust, scp, rcp, session, boundary)
  basalt --version | --help
`;

/** Runs the command line with the given arguments; resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      return serve(rest);
    case 'simulate':
      return simulate(rest);
    case 'policy':
      if (rest[0] === 'validate') return policyValidate(rest.slice(1));
      process.stderr.write(
        `basalt policy: unknown subcommand ${JSON.stringify(rest[0] ?? '')}; try: basalt policy validate FILE\n`,
      );
      return 2;
    case '--version':
    case '-v': {
      const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
        version: string;
      };
      process.stdout.write(`basalt ${pkg.version}\n`);
      return 0;
    }
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(USAGE);
      return 0;
    default:
      process.stderr.write(`basalt: unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
      return 2;
  }
}

process.exitCode = await main(process.argv.slice(2));
