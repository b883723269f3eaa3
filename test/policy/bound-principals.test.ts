// Resource-based policies compiled with the unique IDs their user and role principals had when saved
// ("AWS JSON policy elements: Principal"): they name that principal only, not another under its name.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compilePolicy, describePrincipal, evaluate, makeRequest, PolicyError } from '../../src/policy/index.ts';

const ACCOUNT = '111122223333';
const ALICE = `arn:aws:iam::${ACCOUNT}:user/alice`;
const HOP = `arn:aws:iam::${ACCOUNT}:role/hop`;
const trust = (principal: object, effect = 'Allow', element = 'Principal') => ({
  Version: '2012-10-17',
  Statement: [{ Effect: effect, [element]: principal, Action: 'sts:AssumeRole' }],
});

function decide(
  policy: object,
  ids: Map<string, string> | undefined,
  arn: string,
  id: string | undefined,
  kind: 'trust' | 'resource' = 'trust',
) {
  const compiled = compilePolicy(policy, kind, ids);
  if (compiled instanceof PolicyError) throw compiled;
  const principal = describePrincipal(arn, undefined, id);
  const req = makeRequest({ principal, action: 'sts:AssumeRole', resource: `arn:aws:iam::${ACCOUNT}:role/target` });
  return evaluate(req, { identity: [], resource: compiled, resourceMustAllow: true }, false).decision;
}

test('a bound user principal names the user with that unique ID only', () => {
  const ids = new Map([[ALICE, 'AIDAOLDALICE00000001']]);
  assert.equal(decide(trust({ AWS: ALICE }), ids, ALICE, 'AIDAOLDALICE00000001'), 'Allow');
  assert.notEqual(decide(trust({ AWS: ALICE }), ids, ALICE, 'AIDANEWALICE00000002'), 'Allow');
  assert.notEqual(decide(trust({ AWS: ALICE }), new Map(), ALICE, 'AIDAOLDALICE00000001'), 'Allow', 'unbound ARN');
  // Unbound (simulation by ARN), the name decides.
  assert.equal(decide(trust({ AWS: ALICE }), undefined, ALICE, undefined), 'Allow');
});

test("a bound role principal names the sessions of the role with that unique ID, not the role's name", () => {
  const ids = new Map([[HOP, 'AROAOLDHOP0000000001']]);
  const session = `arn:aws:sts::${ACCOUNT}:assumed-role/hop/s1`;
  assert.equal(decide(trust({ AWS: HOP }), ids, session, 'AROAOLDHOP0000000001'), 'Allow');
  assert.notEqual(decide(trust({ AWS: HOP }), ids, session, 'AROANEWHOP0000000002'), 'Allow');
});

test('a bound NotPrincipal excludes the principal with that ID only', () => {
  // A resource-based policy: a role trust policy cannot use NotPrincipal ("AWS JSON policy elements:
  // NotPrincipal").
  const ids = new Map([[ALICE, 'AIDAOLDALICE00000001']]);
  const policy = {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: { AWS: ACCOUNT }, Action: 'sts:AssumeRole', Resource: '*' },
      { Effect: 'Deny', NotPrincipal: { AWS: [ALICE, ACCOUNT] }, Action: 'sts:AssumeRole', Resource: '*' },
    ],
  };
  // The old alice is excluded from the Deny; the recreated one is not and is denied.
  const old = decide(policy, ids, ALICE, 'AIDAOLDALICE00000001', 'resource');
  const recreated = decide(policy, ids, ALICE, 'AIDANEWALICE00000002', 'resource');
  assert.notEqual(old, 'ExplicitDeny');
  assert.equal(recreated, 'ExplicitDeny');
});

test('a role trust policy cannot use NotPrincipal', () => {
  const compiled = compilePolicy(trust({ AWS: ALICE }, 'Allow', 'NotPrincipal'), 'trust');
  assert.ok(compiled instanceof PolicyError);
  assert.equal(compiled.code, 'MalformedPolicyDocument');
});
