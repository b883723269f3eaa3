// The `basalt` command as a user runs it: the real bin/basalt in a child process.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const BIN = new URL('../bin/basalt', import.meta.url).pathname;

test('simulate: one output line per input line, in order, errors in place', () => {
  const lines = [
    JSON.stringify({
      id: 'a',
      principal: 'arn:aws:iam::111122223333:user/alice',
      action: 'bedrock:InvokeModel',
      resource: 'arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0',
      identityPolicies: [{ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'bedrock:*', Resource: '*' } }],
    }),
    '{not json',
    JSON.stringify({ id: 'b', action: 's3:GetObject', resource: 'arn:aws:s3:::b/k', principal: '111122223333' }),
    JSON.stringify({ id: 'c', action: 's3:GetObject', resource: '*', identityPolicies: [{ Statement: {} }] }),
  ];
  const out = execFileSync(BIN, ['simulate'], { input: `${lines.join('\n')}\n` })
    .toString()
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.equal(out.length, 4);
  assert.equal(out[0].id, 'a');
  assert.equal(out[0].decision, 'Allow');
  assert.equal(out[1].error.code, 'InvalidInput');
  assert.equal(out[1].line, 2);
  // The account's root user needs no identity policy in its own account.
  assert.equal(out[2].decision, 'Allow');
  assert.equal(out[3].id, 'c');
  assert.equal(out[3].error.code, 'MalformedPolicyDocument');
  assert.match(out[3].error.path, /^identityPolicies\[0\]\.Statement/);
});

test('simulate --file reads the example cases from the README', () => {
  const out = execFileSync(BIN, ['simulate', '--file', new URL('../examples/cases.jsonl', import.meta.url).pathname])
    .toString()
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.deepEqual(
    out.map((o) => [o.id, o.decision, o.decidedBy]),
    [
      ['alice-haiku', 'Allow', 'identity'],
      ['alice-titan', 'ImplicitDeny', 'identity'],
      ['scp-region-deny', 'ExplicitDeny', 'scp'],
    ],
  );
});

test('simulate: a missing file is a clear error, not a crash', () => {
  const r = spawnSync(BIN, ['simulate', '--file', '/nonexistent/cases.jsonl']);
  assert.equal(r.status, 1);
  assert.match(r.stderr.toString(), /cannot read \/nonexistent\/cases\.jsonl/);
});

test('policy validate: findings with paths, exit 1 on errors, 0 when valid', () => {
  const dir = mkdtempSync(join(tmpdir(), 'basalt-validate-'));
  const good = join(dir, 'good.json');
  const bad = join(dir, 'bad.json');
  writeFileSync(
    good,
    JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'bedrock:*', Resource: '*' } }),
  );
  writeFileSync(
    bad,
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: '*' }],
    }),
  );
  const ok = spawnSync(BIN, ['policy', 'validate', good]);
  assert.equal(ok.status, 0);
  assert.match(ok.stdout.toString(), /valid identity policy/);
  const ko = spawnSync(BIN, ['policy', 'validate', good, bad]);
  assert.equal(ko.status, 1);
  assert.match(
    ko.stdout.toString(),
    /bad\.json: Statement\[0\]: MalformedPolicyDocument: Policy document should not specify a principal\./,
  );
  const asResource = spawnSync(BIN, ['policy', 'validate', '--kind', 'resource', bad]);
  assert.equal(asResource.status, 0);
});

test('unknown commands and options exit 2 with usage', () => {
  const r = spawnSync(BIN, ['frobnicate']);
  assert.equal(r.status, 2);
  assert.match(r.stderr.toString(), /unknown command "frobnicate"/);
  const s = spawnSync(BIN, ['simulate', '--nope', 'x']);
  assert.equal(s.status, 2);
  assert.match(s.stderr.toString(), /unknown option --nope/);
});
