/**
 * Enforces the module dependency direction of DESIGN.md: policy <- authz <- services <- server, with
 * store, auth, protocols, providers and audit as leaves; src/policy imports nothing outside itself,
 * no package and no Node.js built-in. Exits 1 and lists every violation.
 */

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const src = join(root, 'src');

/** Which src modules each module may import (itself always allowed). */
const ALLOWED: Record<string, readonly string[]> = {
  policy: [],
  catalog: ['policy'],
  store: ['policy', 'catalog'],
  auth: ['policy', 'store'],
  protocols: [],
  providers: [],
  audit: ['store'],
  authz: ['policy', 'catalog', 'store', 'auth'],
  services: ['policy', 'catalog', 'store', 'auth', 'authz', 'protocols', 'providers', 'audit'],
  server: ['policy', 'catalog', 'store', 'auth', 'authz', 'protocols', 'providers', 'audit', 'services'],
  cli: ['policy', 'catalog', 'store', 'auth', 'authz', 'protocols', 'providers', 'audit', 'services', 'server'],
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path);
    return /\.(ts|mts|js)$/.test(name) ? [path] : [];
  });
}

const IMPORT =
  /(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g;

const violations: string[] = [];
for (const file of files(src)) {
  const module = relative(src, file).split('/')[0] ?? '';
  const allowed = ALLOWED[module];
  if (allowed === undefined) {
    violations.push(`${relative(root, file)}: module src/${module} is not listed in scripts/check-imports.ts`);
    continue;
  }
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2] ?? m[3] ?? '';
    if (spec.startsWith('.')) {
      const target = relative(src, resolve(dirname(file), spec)).split('/')[0] ?? '';
      if (target !== module && !allowed.includes(target)) {
        violations.push(
          `${relative(root, file)}: imports src/${target} (${spec}); src/${module} may import only ${allowed.join(', ') || 'itself'}`,
        );
      }
    } else if (module === 'policy') {
      violations.push(`${relative(root, file)}: src/policy must stay pure, but imports ${spec}`);
    }
  }
}
if (violations.length > 0) {
  process.stderr.write(`dependency direction violations:\n${violations.map((v) => `  ${v}`).join('\n')}\n`);
  process.exit(1);
}
process.stdout.write('imports: dependency direction ok\n');
