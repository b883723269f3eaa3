import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { isoSeconds } from '../../src/policy/timestamps.ts';

test('isoSeconds is toISOString without milliseconds, for any date, in any order of calls', () => {
  fc.assert(
    fc.property(fc.array(fc.date({ noInvalidDate: true }), { minLength: 1, maxLength: 5 }), (dates) => {
      for (const d of dates) assert.equal(isoSeconds(d), d.toISOString().replace(/\.\d{3}Z$/, 'Z'));
    }),
    { numRuns: 2000 },
  );
  assert.equal(isoSeconds(new Date('2024-01-02T03:04:05.999Z')), '2024-01-02T03:04:05Z');
  assert.equal(isoSeconds(new Date('2024-01-02T03:04:06.000Z')), '2024-01-02T03:04:06Z');
  assert.equal(isoSeconds(new Date(-1)), '1969-12-31T23:59:59Z');
  assert.throws(() => isoSeconds(new Date(Number.NaN)), RangeError);
});
