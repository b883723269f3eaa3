// A stored policy document that no longer compiles stands for a Deny of everything, whatever its
// kind: never an Allow, and never an error that turns an authorization into a failed request.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileStored } from '../../src/authz/policy-set.ts';
import { compilePolicy, describePrincipal, evaluate, makeRequest, type PolicySet } from '../../src/policy/index.ts';

test('a stored document that does not compile denies everything, for every policy kind', () => {
  const allowAll = compilePolicy(
    { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
    'identity',
  );
  assert.ok(!(allowAll instanceof Error));
  const principal = describePrincipal('arn:aws:iam::111122223333:user/alice', undefined, 'AIDAEXAMPLEALICE');
  const request = makeRequest({
    principal,
    action: 'sts:AssumeRole',
    resource: 'arn:aws:iam::111122223333:role/r',
  });
  for (const kind of ['identity', 'resource', 'trust', 'scp', 'rcp', 'session', 'boundary'] as const) {
    const compiled = compileStored('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow"', kind);
    const sets: Record<typeof kind, PolicySet> = {
      identity: { identity: [compiled] },
      resource: { identity: [], resource: compiled },
      trust: { identity: [], resource: compiled },
      scp: { identity: [allowAll], scp: [[compiled]] },
      rcp: { identity: [allowAll], rcp: [[compiled]] },
      session: { identity: [allowAll], session: [compiled] },
      boundary: { identity: [allowAll], boundary: compiled },
    };
    assert.equal(evaluate(request, sets[kind]).decision, 'ExplicitDeny', kind);
    assert.equal(compiled.statements.length, 1, kind);
    assert.equal(compiled.statements[0]?.effect, 'Deny', kind);
  }
});
