// Unit tests of the low-level matchers: globs, ARN patterns, CIDR blocks, dates and numbers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { arnMatches, compileArnPattern } from '../../src/policy/arn-pattern.ts';
import { parseDate, parseNumber } from '../../src/policy/condition.ts';
import { arnTarget, splitArn } from '../../src/policy/context.ts';
import { Glob, wildcardTokens } from '../../src/policy/glob.ts';
import { cidrContains, parseCidr, parseIp } from '../../src/policy/ip.ts';

/** A reference glob matcher through a regular expression, to check Glob against. */
function regexGlob(pattern: string, s: string): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '[\\s\\S]*')
    .replace(/\?/g, '[\\s\\S]');
  return new RegExp(`^${re}$`).test(s);
}

test('Glob agrees with a regular-expression glob on random patterns', () => {
  const alphabet = fc.constantFrom('a', 'b', ':', '/', '*', '?');
  const text = fc.constantFrom('a', 'b', ':', '/');
  fc.assert(
    fc.property(fc.array(alphabet, { maxLength: 8 }), fc.array(text, { maxLength: 10 }), (p, s) => {
      const pattern = p.join('');
      const subject = s.join('');
      assert.equal(Glob.fromText(pattern).test(subject), regexGlob(pattern, subject), `${pattern} vs ${subject}`);
    }),
    { numRuns: 20000 },
  );
});

test('Glob keeps literal tokens literal', () => {
  const g = new Glob(['a', '*', 'b']);
  assert.ok(g.test('a*b'));
  assert.ok(!g.test('axb'));
  assert.ok(new Glob(['x', 0, '?']).test('xyz?'));
  assert.ok(!new Glob(['x', 0, '?']).test('xyz!'));
  assert.deepEqual(wildcardTokens('a*b?'), ['a', 0, 'b', 1]);
});

test('ARN patterns match component by component; the resource keeps its colons', () => {
  const m = (pattern: string, arn: string) => {
    const parts = splitArn(arn);
    assert.ok(parts);
    return arnMatches(compileArnPattern(wildcardTokens(pattern)), arnTarget(arn));
  };
  const haiku = 'arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0';
  assert.ok(m('arn:aws:bedrock:*::foundation-model/*', haiku));
  assert.ok(m('arn:aws:bedrock:us-east-?::foundation-model/anthropic.*', haiku));
  assert.ok(!m('arn:aws:bedrock:*:*:foundation-model/amazon.*', haiku));
  assert.ok(m('arn:aws:bedrock:*', haiku), 'a short pattern ending in * covers the missing components');
  assert.ok(!m('arn:aws:bedrock:us-east-1', haiku), 'a short pattern without a trailing * never matches');
  assert.ok(!m('arn:aws:s3:::Bucket/*', 'arn:aws:s3:::bucket/x'), 'ARNs are case-sensitive');
  assert.ok(!m('arn:aws:iam::*:user/*', 'arn:aws:iam::111122223333:role/x'));
  assert.ok(m('arn:aws:iam::*', 'arn:aws:iam::111122223333:user/x:y'));
  // A * in one component does not reach into the next one.
  assert.ok(!m('arn:aws:*:us-east-1::x', 'arn:aws:s3:us-east-1:1:x'));
});

test('CIDR blocks: IPv4, IPv6, bare addresses, and bad input', () => {
  const within = (cidr: string, ip: string) => {
    const c = parseCidr(cidr);
    assert.ok(c, cidr);
    const words = new Uint32Array(4);
    const family = parseIp(ip, words);
    assert.ok(family !== 0, ip);
    return cidrContains(c, family, words);
  };
  assert.ok(within('203.0.113.0/24', '203.0.113.7'));
  assert.ok(!within('203.0.113.0/24', '203.0.114.7'));
  assert.ok(within('0.0.0.0/0', '8.8.8.8'));
  assert.ok(within('10.1.2.3', '10.1.2.3'));
  assert.ok(!within('10.1.2.3', '10.1.2.4'));
  assert.ok(within('2001:db8::/32', '2001:db8:1234::1'));
  assert.ok(!within('2001:db8::/32', '2001:db9::1'));
  assert.ok(within('::/0', '::1'));
  assert.ok(within('2001:db8:0:0:0:0:0:0/127', '2001:db8::1'));
  assert.ok(!within('10.0.0.0/8', '2001:db8::1'), 'families never mix');
  for (const bad of ['10.0.0.0/33', '256.0.0.1', '10.0.0', '1::2::3', 'x', '10.0.0.0/-1', '2001:db8::/129']) {
    assert.equal(parseCidr(bad), undefined, bad);
  }
});

test('dates: ISO 8601 in UTC unless an offset is given, and epoch seconds', () => {
  assert.equal(parseDate('2020-01-01T00:00:00Z'), Date.UTC(2020, 0, 1));
  assert.equal(parseDate('2020-01-01'), Date.UTC(2020, 0, 1));
  assert.equal(parseDate('2020-01-01T00:00:00'), Date.UTC(2020, 0, 1));
  assert.equal(parseDate('2020-01-01T01:00:00+01:00'), Date.UTC(2020, 0, 1));
  assert.equal(parseDate('1577836800'), Date.UTC(2020, 0, 1));
  assert.ok(Number.isNaN(parseDate('yesterday')));
  assert.ok(Number.isNaN(parseDate('Jan 1 2020')));
});

test('numbers: integers and decimals only', () => {
  assert.equal(parseNumber('42'), 42);
  assert.equal(parseNumber('-1.5'), -1.5);
  assert.equal(parseNumber('.5'), 0.5);
  for (const bad of ['', '0x10', '1e3', '12abc', ' 1', 'NaN', 'Infinity'])
    assert.ok(Number.isNaN(parseNumber(bad)), bad);
});

test('dates in the aws:CurrentTime form parse exactly as Date.parse reads them', () => {
  fc.assert(
    fc.property(fc.date({ min: new Date(0), max: new Date(Date.UTC(9999, 0, 1)), noInvalidDate: true }), (d) => {
      const text = `${d.toISOString().slice(0, 19)}Z`;
      assert.equal(parseDate(text), Date.parse(text), text);
    }),
    { numRuns: 20000 },
  );
  assert.equal(parseDate('2025-02-31T00:00:00Z'), Date.parse('2025-02-31T00:00:00Z'), 'as Date.parse');
  assert.ok(Number.isNaN(parseDate('2025-13-01T00:00:00Z')));
  assert.equal(
    parseDate('0050-01-01T00:00:00Z'),
    Date.parse('0050-01-01T00:00:00Z'),
    'two-digit years stay as written',
  );
  assert.equal(parseDate('2024-02-29T23:59:59Z'), Date.UTC(2024, 1, 29, 23, 59, 59));
});

test('ARN patterns agree with a component-by-component reference on random ARNs', () => {
  const component = fc.array(fc.constantFrom('a', 'b', '/', '*', '?'), { maxLength: 3 }).map((c) => c.join(''));
  const concrete = fc.array(fc.constantFrom('a', 'b', '/'), { maxLength: 3 }).map((c) => c.join(''));
  const reference = (pattern: string[], arn: string[]) =>
    pattern.length === 6 && pattern.every((p, i) => regexGlob(p, arn[i] ?? ''));
  fc.assert(
    fc.property(
      fc.array(component, { minLength: 4, maxLength: 4 }),
      fc.array(concrete, { minLength: 4, maxLength: 4 }),
      fc.array(fc.constantFrom('a', 'b', ':', '*'), { maxLength: 4 }),
      fc.array(fc.constantFrom('a', 'b', ':'), { maxLength: 4 }),
      (p, a, pTail, aTail) => {
        const pattern = ['arn', ...p, pTail.join('')];
        const arn = ['arn', ...a, aTail.join('')];
        const text = arn.join(':');
        const parts = splitArn(text);
        assert.ok(parts);
        const expected = reference(pattern, [...parts]);
        assert.equal(arnMatches(compileArnPattern(wildcardTokens(pattern.join(':'))), arnTarget(text)), expected);
      },
    ),
    { numRuns: 20000 },
  );
});
