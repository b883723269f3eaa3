/**
 * Runs every command of docs/guide.md, in order, against a real server with the `aws` command
 * line: each ```sh block in its own bash process that starts with the (upper-case) variables and the
 * functions of the blocks before it, as one terminal session would. A block that starts with `# expect: CODE` must fail with that error code;
 * every other block must succeed. ```console blocks (starting the server) are not run: the test
 * starts the server itself and gives the guide its root credentials file.
 */

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AWS_CLI, missingAwsCli } from '../support/aws-cli.js';
import { startBasalt, type TestServer } from '../support/basalt.js';

const GUIDE = resolve(import.meta.dirname, '..', '..', 'docs', 'guide.md');

/** The guide's shell blocks, in order, with the error code a block expects, if any. */
export function guideBlocks(markdown: string): Array<{ script: string; expect?: string; line: number }> {
  const blocks: Array<{ script: string; expect?: string; line: number }> = [];
  const re = /^```sh\n([\s\S]*?)^```$/gm;
  for (const m of markdown.matchAll(re)) {
    const script = m[1] ?? '';
    const expect = /^# expect: (\S+)/.exec(script)?.[1];
    const line = markdown.slice(0, m.index).split('\n').length + 1;
    blocks.push({ script, line, ...(expect === undefined ? {} : { expect }) });
  }
  return blocks;
}

function bash(
  script: string,
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile('bash', ['-c', script], { cwd, env, timeout: 120_000 }, (err, stdout, stderr) =>
      done({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, stdout, stderr }),
    );
  });
}

if (AWS_CLI === undefined) {
  missingAwsCli('docs/guide.md runs as written with the aws command line');
} else {
  describe('docs/guide.md, every command', { concurrency: false }, () => {
    let server: TestServer;
    let home: string;
    let work: string;
    before(async () => {
      server = await startBasalt();
      home = mkdtempSync(join(tmpdir(), 'basalt-guide-home-'));
      work = mkdtempSync(join(tmpdir(), 'basalt-guide-'));
      mkdirSync(join(work, '.basalt'));
      copyFileSync(join(server.dataDir, 'root-credentials'), join(work, '.basalt', 'root-credentials'));
    });
    after(async () => {
      await server?.destroy();
      rmSync(home, { recursive: true, force: true });
      rmSync(work, { recursive: true, force: true });
    });

    test('runs, block by block', async () => {
      const markdown = readFileSync(GUIDE, 'utf8').replaceAll('http://127.0.0.1:8700', server.url);
      const blocks = guideBlocks(markdown);
      assert.ok(blocks.length >= 20, `only ${blocks.length} blocks found`);
      assert.ok(blocks.filter((b) => b.expect !== undefined).length >= 5);
      const state = join(work, '.guide-state.sh');
      const env: NodeJS.ProcessEnv = {
        PATH: `${dirname(AWS_CLI ?? '')}:${process.env.PATH ?? ''}`,
        HOME: home,
        AWS_PAGER: '',
        LANG: 'C.UTF-8',
        // Where .ci/run puts the Bedrock models for a command line that predates Bedrock.
        ...(process.env.AWS_DATA_PATH === undefined ? {} : { AWS_DATA_PATH: process.env.AWS_DATA_PATH }),
      };
      // A command line older than AWS_ENDPOINT_URL (v1 1.29, v2 2.13) gets the endpoint as a flag.
      const prelude = `aws() { command ${AWS_CLI} --endpoint-url "$AWS_ENDPOINT_URL" "$@"; }\n`;
      for (const block of blocks) {
        // Each block sees the variables and functions of the blocks before it, and saves its own.
        const script =
          prelude +
          `[ -f ${state} ] && source ${state}\n` +
          (block.expect === undefined ? 'set -eo pipefail\n' : '') +
          `${block.script}\nrc=$?\n` +
          `{ declare -p | grep -E '^declare -[-x] [A-Z][A-Z0-9_]*=' | grep -vE ' (BASH[A-Z_]*|SHLVL|PWD|OLDPWD|IFS|OPTIND|HOSTNAME|HOSTTYPE|OSTYPE|MACHTYPE|PPID|UID|EUID|SHELL|TERM|PS4|COLUMNS|LINES)='; declare -f; } > ${state}\nexit $rc\n`;
        const r = await bash(script, work, env);
        if (block.expect === undefined) {
          assert.equal(r.code, 0, `guide.md line ${block.line} failed:\n${block.script}\n${r.stderr}`);
        } else {
          assert.notEqual(r.code, 0, `guide.md line ${block.line} should have failed:\n${block.script}\n${r.stdout}`);
          assert.match(r.stderr, new RegExp(`\\(${block.expect}\\)`), `guide.md line ${block.line}:\n${r.stderr}`);
        }
      }
      const answer = JSON.parse(readFileSync(join(work, 'answer.json'), 'utf8')) as {
        content: Array<{ text: string }>;
      };
      assert.match(answer.content[0]?.text ?? '', /You said: What is a guardrail\?/);
    });
  });
}
