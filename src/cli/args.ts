/** A tiny flag reader for the CLI: `--name value` pairs and positional arguments. */

/** Splits arguments into flags (`--name value`) and positionals; unknown flags are reported. */
export function readArgs(
  argv: string[],
  known: readonly string[],
): { flags: Map<string, string>; positional: string[]; error?: string } {
  const flags = new Map<string, string>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
    if (!known.includes(name)) return { flags, positional, error: `unknown option --${name}` };
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) return { flags, positional, error: `option --${name} needs a value` };
    flags.set(name, value);
  }
  return { flags, positional };
}
