// The request context: keys are case-insensitive, the last spelling of a key wins, inherited
// properties never become condition keys, and the resource's components are found in place.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { arnTarget, ContextValues, describePrincipal, makeRequest } from '../../src/policy/context.ts';

const alice = describePrincipal('arn:aws:iam::111122223333:user/alice');

test('condition keys are read without regard to case; a later spelling overrides', () => {
  const req = makeRequest({
    principal: alice,
    action: 'S3:GetObject',
    resource: 'arn:aws:s3:::b/k',
    values: { 'aws:SourceIp': '10.0.0.1', 'AWS:SOURCEIP': '10.0.0.2', 'aws:PrincipalTag/Team': 'ml' },
  });
  assert.equal(req.values.get('aws:sourceip'), '10.0.0.2');
  assert.equal(req.values.get('aws:principaltag/team'), 'ml');
  assert.equal(req.actionLower, 's3:getobject');
  assert.equal(req.resourceAccount, '111122223333', 'an S3 ARN has no account: the principal’s');
});

test('only a record’s own keys become condition keys', () => {
  const inherited = Object.create({ 'aws:SecureTransport': 'true' }) as Record<string, string>;
  inherited['aws:username'] = 'alice';
  const req = makeRequest({ principal: alice, action: 's3:GetObject', resource: '*', values: inherited });
  assert.equal(req.values.get('aws:username'), 'alice');
  assert.equal(req.values.get('aws:securetransport'), undefined);
  const map = makeRequest({
    principal: alice,
    action: 's3:x',
    resource: '*',
    values: new Map([['AWS:UserName', 'a']]),
  });
  assert.equal(map.values.get('aws:username'), 'a');
  const prepared = new ContextValues().set('aws:EpochTime', '1');
  assert.equal(makeRequest({ principal: alice, action: 's3:x', resource: '*', values: prepared }).values, prepared);
});

test('ARN targets: component separators found once, account read from them', () => {
  const t = arnTarget(
    'arn:aws:bedrock:us-east-1:111122223333:inference-profile/us.anthropic.claude-3-haiku-20240307-v1:0',
  );
  assert.ok(t.isArn);
  assert.equal(t.text.slice(t.c3 + 1, t.c4), '111122223333');
  assert.equal(t.text.slice(t.c4 + 1), 'inference-profile/us.anthropic.claude-3-haiku-20240307-v1:0');
  for (const notArn of ['*', 'arn:aws:s3', 'bucket/key', 'arn:aws:iam::1'])
    assert.equal(arnTarget(notArn).isArn, false, notArn);
  const req = makeRequest({ principal: alice, action: 'bedrock:InvokeModel', resource: t.text });
  assert.equal(req.resourceAccount, '111122223333');
  const given = makeRequest({ principal: alice, action: 'x:y', resource: t.text, resourceAccount: '444455556666' });
  assert.equal(given.resourceAccount, '444455556666');
});
