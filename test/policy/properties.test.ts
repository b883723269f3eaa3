// Property tests of the policy language: print/parse round trip, and random input only ever
// yielding typed validation errors (never an exception, never a half-parsed policy).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { Policy, PolicyKind } from '../../src/policy/ast.ts';
import { PolicyError, parsePolicy, printPolicy, readJson, simulateCase } from '../../src/policy/index.ts';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 1000);

const list = (item: fc.Arbitrary<string>) =>
  fc.oneof(
    item.map((v) => ({ values: [v], isArray: false })),
    fc.array(item, { minLength: 1, maxLength: 3 }).map((values) => ({ values, isArray: true })),
  );
const action = fc.constantFrom('*', 's3:GetObject', 'bedrock:Invoke*', 'iam:?etUser', 'sts:AssumeRole');
const resource = fc.constantFrom(
  '*',
  `arn:aws:s3:::bucket/\${aws:username}/*`,
  'arn:aws:bedrock:*::foundation-model/anthropic.*',
  'arn:aws:iam::111122223333:user/a?c',
);
const conditionValue = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.constantFrom('10.0.0.0/8', '2020-01-01T00:00:00Z', 'true'),
);
const operator = fc.constantFrom(
  'StringEquals',
  'ForAnyValue:StringLike',
  'ForAllValues:StringNotEqualsIgnoreCase',
  'NumericLessThanIfExists',
  'DateGreaterThan',
  'Bool',
  'IpAddress',
  'ArnLike',
  'Null',
);
const conditionKey = fc.constantFrom('aws:SourceIp', 'aws:PrincipalTag/team', 'aws:TagKeys', 's3:prefix');
const condition = fc.uniqueArray(operator, { minLength: 1, maxLength: 3 }).chain((ops) =>
  fc.tuple(
    ...ops.map((op) =>
      fc
        .uniqueArray(conditionKey, { minLength: 1, maxLength: 2 })
        .chain((keys) => fc.tuple(...keys.map((key) => list(conditionValue).map((values) => ({ key, values })))))
        .map((keys) => ({ operator: op, keys })),
    ),
  ),
);

const principal = fc.oneof(
  fc.constant({ wildcard: true as const }),
  list(fc.constantFrom('*', '111122223333', 'arn:aws:iam::111122223333:role/r', 'arn:aws:iam::444455556666:root')).map(
    (values) => ({ wildcard: false as const, entries: [{ type: 'AWS', values }] }),
  ),
);

function policyArb(kind: PolicyKind): fc.Arbitrary<Policy> {
  const statement = fc.record(
    {
      sid: fc.stringMatching(/^[A-Za-z0-9]{1,8}$/),
      effect: fc.constantFrom('Allow' as const, 'Deny' as const),
      useNot: fc.boolean(),
      action: list(action),
      resource: list(resource),
      principal,
      condition,
    },
    { requiredKeys: ['effect', 'useNot', 'action', 'resource', 'principal'] },
  );
  return fc
    .record({
      version: fc.option(fc.constantFrom('2012-10-17', '2008-10-17'), { nil: undefined }),
      id: fc.option(fc.string({ maxLength: 10 }), { nil: undefined }),
      statements: fc.array(statement, { minLength: 1, maxLength: 4 }),
      statementIsArray: fc.boolean(),
    })
    .map((p) => {
      const statements = (p.statementIsArray ? p.statements : p.statements.slice(0, 1)).map((s, i) => {
        const out: Policy['statements'][number] = { effect: s.effect };
        if (s.sid !== undefined) out.sid = `${s.sid}${i}`;
        if (kind === 'resource') out.principal = s.principal;
        if (s.useNot) out.notAction = s.action;
        else out.action = s.action;
        out.resource = s.resource;
        if (s.condition !== undefined) out.condition = s.condition;
        return out;
      });
      const policy: Policy = { statements, statementIsArray: p.statementIsArray };
      if (p.version !== undefined) policy.version = p.version;
      if (p.id !== undefined) policy.id = p.id;
      return policy;
    });
}

for (const kind of ['identity', 'resource'] as const) {
  test(`print/parse round trip (${kind} policies)`, () => {
    fc.assert(
      fc.property(policyArb(kind), (policy) => {
        const reparsed = parsePolicy(JSON.stringify(printPolicy(policy)), kind);
        assert.ok(!(reparsed instanceof PolicyError), reparsed instanceof PolicyError ? reparsed.detail : '');
        assert.deepEqual(reparsed, policy);
      }),
      { numRuns: RUNS },
    );
  });
}

const KINDS: PolicyKind[] = ['identity', 'resource', 'trust', 'scp', 'rcp', 'session', 'boundary'];
const CODES = new Set(['MalformedPolicyDocument', 'InvalidInput']);

test('random JSON values only ever yield a policy or a typed error', () => {
  fc.assert(
    fc.property(fc.jsonValue(), fc.constantFrom(...KINDS), (value, kind) => {
      const result = parsePolicy(value, kind);
      if (result instanceof PolicyError) {
        assert.ok(CODES.has(result.code));
        assert.equal(typeof result.path, 'string');
        assert.ok(result.findings.length > 0);
      } else {
        assert.ok(Array.isArray(result.statements));
      }
    }),
    { numRuns: RUNS * 5 },
  );
});

test('random statement-shaped objects only ever yield a policy or a typed error', () => {
  const field = fc.oneof(fc.jsonValue(), action, resource, fc.constant('*'));
  const stmt = fc.dictionary(
    fc.constantFrom('Sid', 'Effect', 'Action', 'NotAction', 'Resource', 'NotResource', 'Principal', 'Condition', 'X'),
    field,
  );
  fc.assert(
    fc.property(stmt, fc.constantFrom(...KINDS), (statement, kind) => {
      const result = parsePolicy({ Version: '2012-10-17', Statement: [statement] }, kind);
      if (result instanceof PolicyError) assert.ok(CODES.has(result.code));
    }),
    { numRuns: RUNS * 5 },
  );
});

test('random text only ever yields a typed error from parsing', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 200 }), (text) => {
      const result = parsePolicy(text, 'identity');
      if (result instanceof PolicyError) assert.ok(CODES.has(result.code));
    }),
    { numRuns: RUNS },
  );
});

test('random simulate cases never throw', () => {
  fc.assert(
    fc.property(fc.jsonValue(), (value) => {
      const out = simulateCase(value);
      assert.ok('decision' in out || 'error' in out);
      if ('error' in out) assert.notEqual(out.error.code, 'InternalError');
    }),
    { numRuns: RUNS },
  );
});

test('the strict JSON reader agrees with JSON.parse on any document without duplicate keys', () => {
  fc.assert(
    fc.property(fc.jsonValue(), fc.boolean(), (value, pretty) => {
      const text = JSON.stringify(value, null, pretty ? 2 : undefined);
      const read = readJson(text);
      assert.ok(read.ok, text);
      assert.deepEqual(read.value, JSON.parse(text));
    }),
    { numRuns: RUNS * 2 },
  );
});

test('the strict JSON reader refuses duplicate keys, trailing text and bad syntax', () => {
  for (const bad of ['{"a":1,"a":2}', '{"a":{"b":1,"b":1}}', '{} x', '{"a":}', '[1,]', '"\\q"', '', '{"a":1', 'NaN']) {
    const read = readJson(bad);
    assert.equal(read.ok, false, bad);
  }
  const deep = `${'['.repeat(100)}${']'.repeat(100)}`;
  assert.equal(readJson(deep).ok, false, 'nesting is bounded');
  const proto = readJson('{"__proto__":{"polluted":true}}');
  assert.ok(proto.ok);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('random bytes given as a policy string only ever yield a typed error or a policy', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      const result = parsePolicy(Buffer.from(bytes).toString('latin1'), 'identity');
      if (result instanceof PolicyError) assert.ok(CODES.has(result.code));
    }),
    { numRuns: RUNS },
  );
});
