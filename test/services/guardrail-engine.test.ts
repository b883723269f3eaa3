// The Bedrock guardrail engine: CreateGuardrail validation, GetGuardrail rendering, ApplyGuardrail's local filters.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { WireError } from '../../src/protocols/wire-error.js';
import {
  applyGuardrail,
  describeGuardrailPolicies,
  GUARDRAIL_LIMITS,
  type GuardrailMessaging,
  type GuardrailPolicies,
  LOCALLY_DETECTED_PII_TYPES,
  NOT_ENFORCED,
  PII_ENTITY_TYPES,
  UNDETECTED_PII_TYPES,
  validateGuardrailPolicies,
} from '../../src/services/bedrock/guardrail-engine.js';

const MESSAGES = { blockedInputMessaging: 'Input blocked.', blockedOutputsMessaging: 'Output blocked.' };

/** Validates a request body with the messages filled in. */
function guardrail(parts: Record<string, unknown>): GuardrailPolicies & GuardrailMessaging {
  return validateGuardrailPolicies({ ...MESSAGES, ...parts });
}

/** The ValidationException message a body raises. */
function validationMessage(body: unknown): string {
  try {
    validateGuardrailPolicies(body);
  } catch (err) {
    assert.ok(err instanceof WireError);
    assert.equal(err.code, 'ValidationException');
    return err.message;
  }
  assert.fail('expected a ValidationException');
}

describe('validateGuardrailPolicies', () => {
  test('normalizes: parts absent when not given, unknown members dropped', () => {
    const g = validateGuardrailPolicies({
      ...MESSAGES,
      name: 'ignored-here',
      wordPolicyConfig: { wordsConfig: [{ text: 'acme', extra: 1 }] },
    });
    assert.deepEqual(g, { ...MESSAGES, wordPolicyConfig: { wordsConfig: [{ text: 'acme' }] } });
    assert.equal('topicPolicyConfig' in g, false);
    assert.equal('sensitiveInformationPolicyConfig' in g, false);
  });

  test('keeps every documented member of every part', () => {
    const body = {
      ...MESSAGES,
      topicPolicyConfig: {
        topicsConfig: [
          {
            name: 'Investment Advice?',
            definition: 'Advice on investing.',
            examples: ['Which stocks should I buy?'],
            type: 'DENY',
            inputAction: 'BLOCK',
            outputAction: 'NONE',
            inputEnabled: true,
            outputEnabled: false,
          },
        ],
        tierConfig: { tierName: 'STANDARD' },
      },
      contentPolicyConfig: {
        filtersConfig: [
          {
            type: 'PROMPT_ATTACK',
            inputStrength: 'HIGH',
            outputStrength: 'NONE',
            inputModalities: ['TEXT', 'IMAGE'],
            inputAction: 'BLOCK',
          },
        ],
        tierConfig: { tierName: 'CLASSIC' },
      },
      wordPolicyConfig: { managedWordListsConfig: [{ type: 'PROFANITY', outputEnabled: false }] },
      sensitiveInformationPolicyConfig: {
        piiEntitiesConfig: [{ type: 'EMAIL', action: 'ANONYMIZE', outputAction: 'NONE' }],
        regexesConfig: [{ name: 'booking', description: 'Booking ids', pattern: 'BK-\\d+', action: 'BLOCK' }],
      },
      contextualGroundingPolicyConfig: {
        filtersConfig: [{ type: 'GROUNDING', threshold: 0.75, action: 'NONE', enabled: true }],
      },
    };
    assert.deepEqual(validateGuardrailPolicies(body), body);
  });

  test('a bad enum value is reported at its Smithy member path', () => {
    const message = validationMessage({
      ...MESSAGES,
      topicPolicyConfig: { topicsConfig: [{ name: 'Politics', definition: 'Talk about elections.', type: 'ALLOW' }] },
    });
    assert.equal(
      message,
      "1 validation error detected: Value 'ALLOW' at 'topicPolicyConfig.topicsConfig.1.member.type' failed to " +
        'satisfy constraint: Member must satisfy enum value set: [DENY]',
    );
  });

  test('missing blockedInputMessaging', () => {
    assert.equal(
      validationMessage({ blockedOutputsMessaging: 'no' }),
      "1 validation error detected: Value null at 'blockedInputMessaging' failed to satisfy constraint: Member must " +
        'not be null',
    );
  });

  test('blocked messages are 1 to 500 characters, and their values stay out of the message', () => {
    const message = validationMessage({ blockedInputMessaging: 'x'.repeat(501), blockedOutputsMessaging: '' });
    assert.equal(
      message,
      "2 validation errors detected: Value at 'blockedInputMessaging' failed to satisfy constraint: Member must have " +
        "length less than or equal to 500; Value at 'blockedOutputsMessaging' failed to satisfy constraint: Member " +
        'must have length greater than or equal to 1',
    );
  });

  test('a regex filter that does not compile', () => {
    const message = validationMessage({
      ...MESSAGES,
      sensitiveInformationPolicyConfig: { regexesConfig: [{ name: 'broken', pattern: '([a-z', action: 'BLOCK' }] },
    });
    assert.ok(
      message.startsWith(
        "1 validation error detected: Value '([a-z' at 'sensitiveInformationPolicyConfig.regexesConfig.1.member" +
          ".pattern' failed to satisfy constraint: Member must be a valid regular expression (",
      ),
      message,
    );
  });

  test('a leading (?i) compiles as the i flag; other inline flags are refused', () => {
    assert.doesNotThrow(() =>
      guardrail({
        sensitiveInformationPolicyConfig: { regexesConfig: [{ name: 'r', pattern: '(?i)abc', action: 'BLOCK' }] },
      }),
    );
    assert.match(
      validationMessage({
        ...MESSAGES,
        sensitiveInformationPolicyConfig: { regexesConfig: [{ name: 'r', pattern: '(?x)a b', action: 'BLOCK' }] },
      }),
      /unsupported inline flag 'x'/,
    );
  });

  test('topic limits: name pattern, 30 topics, 200-character definitions, 5 examples', () => {
    const topic = (i: number) => ({ name: `Topic ${i}`, definition: 'd', type: 'DENY' });
    const topics = Array.from({ length: 31 }, (_, i) => topic(i));
    topics[0] = { name: 'Bad/Name', definition: 'x'.repeat(201), type: 'DENY' };
    const message = validationMessage({
      ...MESSAGES,
      topicPolicyConfig: {
        topicsConfig: [...topics.slice(0, 30), { ...topic(30), examples: ['a', 'b', 'c', 'd', 'e', 'f'] }],
      },
    });
    assert.match(message, /^4 validation errors detected: /);
    assert.match(message, /Value at 'topicPolicyConfig\.topicsConfig' .*less than or equal to 30/);
    // Topic names are sensitive: AWS leaves their values out.
    assert.ok(
      message.includes(
        "Value at 'topicPolicyConfig.topicsConfig.1.member.name' failed to satisfy constraint: Member must satisfy " +
          'regular expression pattern: ^[0-9a-zA-Z-_ !?.]+$',
      ),
      message,
    );
    assert.match(message, /'topicPolicyConfig\.topicsConfig\.1\.member\.definition' .*less than or equal to 200/);
    assert.match(message, /'topicPolicyConfig\.topicsConfig\.31\.member\.examples' .*less than or equal to 5/);
  });

  test('PII types come from the API enum; words are at most 10,000', () => {
    const message = validationMessage({
      ...MESSAGES,
      sensitiveInformationPolicyConfig: { piiEntitiesConfig: [{ type: 'SSN', action: 'MASK' }] },
      wordPolicyConfig: { wordsConfig: Array.from({ length: 10_001 }, (_, i) => ({ text: `w${i}` })) },
    });
    assert.match(message, /^3 validation errors detected: /);
    assert.match(message, /Value at 'wordPolicyConfig\.wordsConfig' .*less than or equal to 10000/);
    assert.ok(
      message.includes(
        "Value 'SSN' at 'sensitiveInformationPolicyConfig.piiEntitiesConfig.1.member.type' failed to satisfy " +
          `constraint: Member must satisfy enum value set: [${PII_ENTITY_TYPES.join(', ')}]`,
      ),
      message,
    );
    assert.match(
      message,
      /Value 'MASK' at '.*piiEntitiesConfig\.1\.member\.action' .*enum value set: \[BLOCK, ANONYMIZE, NONE\]/,
    );
  });

  test('content filter and grounding enums, required members, thresholds', () => {
    const message = validationMessage({
      ...MESSAGES,
      contentPolicyConfig: { filtersConfig: [{ type: 'GORE', inputStrength: 'HIGH' }] },
      contextualGroundingPolicyConfig: { filtersConfig: [{ type: 'GROUNDING', threshold: -1 }] },
    });
    assert.match(message, /^3 validation errors detected: /);
    assert.match(message, /Value 'GORE' at 'contentPolicyConfig\.filtersConfig\.1\.member\.type'/);
    assert.match(message, /Value null at 'contentPolicyConfig\.filtersConfig\.1\.member\.outputStrength'/);
    assert.match(message, /Value '-1' at '.*threshold' .*greater than or equal to 0/);
  });
});

describe('describeGuardrailPolicies', () => {
  test('uses the GetGuardrail member names and reports the effective switches', () => {
    const g = guardrail({
      topicPolicyConfig: {
        topicsConfig: [{ name: 'Politics', definition: 'Elections.', type: 'DENY', outputAction: 'NONE' }],
        tierConfig: { tierName: 'CLASSIC' },
      },
      contentPolicyConfig: { filtersConfig: [{ type: 'HATE', inputStrength: 'HIGH', outputStrength: 'LOW' }] },
      wordPolicyConfig: { wordsConfig: [{ text: 'acme' }], managedWordListsConfig: [{ type: 'PROFANITY' }] },
      sensitiveInformationPolicyConfig: {
        piiEntitiesConfig: [{ type: 'EMAIL', action: 'ANONYMIZE' }],
        regexesConfig: [{ name: 'id', pattern: 'ID-\\d+', action: 'BLOCK', inputEnabled: false }],
      },
      contextualGroundingPolicyConfig: { filtersConfig: [{ type: 'RELEVANCE', threshold: 0.5 }] },
    });
    const on = { inputEnabled: true, outputEnabled: true };
    assert.deepEqual(describeGuardrailPolicies(g), {
      topicPolicy: {
        topics: [
          {
            name: 'Politics',
            definition: 'Elections.',
            type: 'DENY',
            inputAction: 'BLOCK',
            outputAction: 'NONE',
            ...on,
          },
        ],
        tier: { tierName: 'CLASSIC' },
      },
      contentPolicy: {
        filters: [
          {
            type: 'HATE',
            inputStrength: 'HIGH',
            outputStrength: 'LOW',
            inputModalities: ['TEXT'],
            outputModalities: ['TEXT'],
            inputAction: 'BLOCK',
            outputAction: 'BLOCK',
            ...on,
          },
        ],
      },
      wordPolicy: {
        words: [{ text: 'acme', inputAction: 'BLOCK', outputAction: 'BLOCK', ...on }],
        managedWordLists: [{ type: 'PROFANITY', inputAction: 'BLOCK', outputAction: 'BLOCK', ...on }],
      },
      sensitiveInformationPolicy: {
        piiEntities: [
          { type: 'EMAIL', action: 'ANONYMIZE', inputAction: 'ANONYMIZE', outputAction: 'ANONYMIZE', ...on },
        ],
        regexes: [
          {
            name: 'id',
            pattern: 'ID-\\d+',
            action: 'BLOCK',
            inputAction: 'BLOCK',
            outputAction: 'BLOCK',
            inputEnabled: false,
            outputEnabled: true,
          },
        ],
      },
      contextualGroundingPolicy: { filters: [{ type: 'RELEVANCE', threshold: 0.5, action: 'BLOCK', enabled: true }] },
    });
  });

  test('no policies, no members', () => {
    assert.deepEqual(describeGuardrailPolicies({}), {});
  });
});

describe('applyGuardrail', () => {
  test('NONE with empty outputs when nothing matches', () => {
    const g = guardrail({
      topicPolicyConfig: { topicsConfig: [{ name: 'Investment_Advice', definition: 'Investing.', type: 'DENY' }] },
      wordPolicyConfig: { wordsConfig: [{ text: 'acme' }], managedWordListsConfig: [{ type: 'PROFANITY' }] },
      sensitiveInformationPolicyConfig: { piiEntitiesConfig: [{ type: 'EMAIL', action: 'BLOCK' }] },
    });
    const r = applyGuardrail(g, 'INPUT', ['What a classic day for a picnic in the park.']);
    assert.equal(r.action, 'NONE');
    assert.deepEqual(r.outputs, []);
    assert.equal(r.assessments.length, 1);
    assert.deepEqual(Object.keys(r.assessments[0] ?? {}), ['invocationMetrics']);
  });

  describe('denied topics by keywords', () => {
    const g = guardrail({
      topicPolicyConfig: {
        topicsConfig: [
          {
            name: 'Investment_Advice',
            definition: 'Recommendations about where to put money.',
            examples: ['Which stocks should I buy?'],
            type: 'DENY',
          },
        ],
      },
    });
    const blocked = (text: string) => applyGuardrail(g, 'INPUT', [text]).action === 'GUARDRAIL_INTERVENED';

    test('the name, an example, or a distinctive name word blocks', () => {
      const r = applyGuardrail(g, 'INPUT', ['I want some investment advice.']);
      assert.equal(r.action, 'GUARDRAIL_INTERVENED');
      assert.deepEqual(r.outputs, [{ text: 'Input blocked.' }]);
      assert.deepEqual(r.assessments[0]?.topicPolicy, {
        topics: [{ name: 'Investment_Advice', type: 'DENY', action: 'BLOCKED', detected: true }],
      });
      assert.ok(blocked('so... WHICH stocks, should I buy?!'));
      assert.ok(blocked('Is real estate a good INVESTMENT'));
    });

    test('whole words only; generic name words and the definition do not match', () => {
      assert.ok(!blocked('Reinvestment of dividends'));
      assert.ok(!blocked('Any advice on baking bread?'));
      assert.ok(!blocked('Where should I put my money?'));
    });
  });

  describe('word filters', () => {
    const g = guardrail({
      wordPolicyConfig: {
        wordsConfig: [{ text: 'AcmeCorp' }, { text: 'free money' }],
        managedWordListsConfig: [{ type: 'PROFANITY' }],
      },
    });

    test('custom words and phrases, case-insensitive, on word boundaries', () => {
      const r = applyGuardrail(g, 'OUTPUT', ['Try acmecorp today: FREE  money for all!']);
      assert.equal(r.action, 'GUARDRAIL_INTERVENED');
      assert.deepEqual(r.outputs, [{ text: 'Output blocked.' }]);
      assert.deepEqual(r.assessments[0]?.wordPolicy, {
        customWords: [
          { match: 'acmecorp', action: 'BLOCKED', detected: true },
          { match: 'FREE  money', action: 'BLOCKED', detected: true },
        ],
        managedWordLists: [],
      });
      assert.equal(applyGuardrail(g, 'OUTPUT', ['AcmeCorporation and money-free']).action, 'NONE');
    });

    test('the built-in PROFANITY list', () => {
      const r = applyGuardrail(g, 'INPUT', ['This is bullshit, but the class was fine.']);
      assert.equal(r.action, 'GUARDRAIL_INTERVENED');
      assert.deepEqual(r.assessments[0]?.wordPolicy, {
        customWords: [],
        managedWordLists: [{ match: 'bullshit', type: 'PROFANITY', action: 'BLOCKED', detected: true }],
      });
      assert.equal(applyGuardrail(g, 'INPUT', ['a classic assessment']).action, 'NONE');
    });
  });

  describe('sensitive information', () => {
    test('ANONYMIZE masks with {TYPE}; the masked texts are the outputs', () => {
      const g = guardrail({
        sensitiveInformationPolicyConfig: {
          piiEntitiesConfig: [
            { type: 'EMAIL', action: 'ANONYMIZE' },
            { type: 'PHONE', action: 'ANONYMIZE' },
          ],
        },
      });
      const r = applyGuardrail(g, 'OUTPUT', ['Mail jane.doe@example.com or call (555) 123-4567.', 'Nothing here.']);
      assert.equal(r.action, 'GUARDRAIL_INTERVENED');
      assert.deepEqual(r.outputs, [{ text: 'Mail {EMAIL} or call {PHONE}.' }, { text: 'Nothing here.' }]);
      assert.deepEqual(r.assessments[0]?.sensitiveInformationPolicy, {
        piiEntities: [
          { match: 'jane.doe@example.com', type: 'EMAIL', action: 'ANONYMIZED', detected: true },
          { match: '(555) 123-4567', type: 'PHONE', action: 'ANONYMIZED', detected: true },
        ],
        regexes: [],
      });
    });

    test('BLOCK wins over ANONYMIZE: the output is the blocked message', () => {
      const g = guardrail({
        sensitiveInformationPolicyConfig: {
          piiEntitiesConfig: [
            { type: 'EMAIL', action: 'ANONYMIZE' },
            { type: 'US_SOCIAL_SECURITY_NUMBER', action: 'BLOCK' },
          ],
        },
      });
      const r = applyGuardrail(g, 'INPUT', ['jane@example.com, SSN 123-45-6789']);
      assert.equal(r.action, 'GUARDRAIL_INTERVENED');
      assert.deepEqual(r.outputs, [{ text: 'Input blocked.' }]);
      assert.deepEqual(
        r.assessments[0]?.sensitiveInformationPolicy?.piiEntities.map((e) => [e.type, e.action]),
        [
          ['EMAIL', 'ANONYMIZED'],
          ['US_SOCIAL_SECURITY_NUMBER', 'BLOCKED'],
        ],
      );
    });

    const samples: [string, string, string][] = [
      ['EMAIL', 'first.last+tag@mail.example.co.uk', 'not-an-email@localhost'],
      ['PHONE', '+44 20 7946 0958', '2024-01-15'],
      ['US_SOCIAL_SECURITY_NUMBER', '123-45-6789', '000-45-6789'],
      ['CREDIT_DEBIT_CARD_NUMBER', '4111-1111-1111-1111', '4111-1111-1111-1112'],
      ['IP_ADDRESS', '192.168.10.20', '999.168.10.20'],
      ['URL', 'https://example.com/path?q=1', 'example dot com'],
      ['MAC_ADDRESS', '00:1a:2b:3c:4d:5e', '00:1a:2b:3c:4d'],
      ['AWS_ACCESS_KEY', 'AKIAIOSFODNN7EXAMPLE', 'AKIAIOSFODNN7'],
      ['AWS_SECRET_KEY', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', '0123456789abcdef0123456789abcdef01234567'],
      ['US_BANK_ROUTING_NUMBER', '021000021', '021000022'],
      ['US_INDIVIDUAL_TAX_IDENTIFICATION_NUMBER', '912-78-1234', '912-68-1234'],
      ['INTERNATIONAL_BANK_ACCOUNT_NUMBER', 'DE89 3704 0044 0532 0130 00', 'DE88 3704 0044 0532 0130 00'],
      ['CA_SOCIAL_INSURANCE_NUMBER', '046-454-286', '046-454-287'],
      ['UK_NATIONAL_INSURANCE_NUMBER', 'AB 12 34 56 C', 'QQ 12 34 56 C'],
    ];
    for (const [type, found, missed] of samples) {
      test(`${type}: finds ${found}, not ${missed}`, () => {
        const g = guardrail({ sensitiveInformationPolicyConfig: { piiEntitiesConfig: [{ type, action: 'BLOCK' }] } });
        const r = applyGuardrail(g, 'INPUT', [`value: ${found}.`]);
        assert.deepEqual(r.assessments[0]?.sensitiveInformationPolicy?.piiEntities, [
          { match: found, type, action: 'BLOCKED', detected: true },
        ]);
        assert.equal(applyGuardrail(g, 'INPUT', [`value: ${missed}.`]).action, 'NONE');
      });
    }

    test('every locally detected type has a sample above', () => {
      assert.deepEqual(new Set(samples.map(([type]) => type)), new Set(LOCALLY_DETECTED_PII_TYPES));
    });

    test('Luhn rejects 16-digit numbers that are not card numbers', () => {
      const g = guardrail({
        sensitiveInformationPolicyConfig: {
          piiEntitiesConfig: [{ type: 'CREDIT_DEBIT_CARD_NUMBER', action: 'BLOCK' }],
        },
      });
      assert.equal(applyGuardrail(g, 'INPUT', ['order 4929 1234 5678 9012']).action, 'NONE');
      assert.equal(applyGuardrail(g, 'INPUT', ['order 5500000000000005']).action, 'NONE');
      assert.equal(applyGuardrail(g, 'INPUT', ['card 5500000000000004']).action, 'GUARDRAIL_INTERVENED');
    });

    test('random 16-digit numbers are found exactly when their Luhn sum is valid', () => {
      const g = guardrail({
        sensitiveInformationPolicyConfig: {
          piiEntitiesConfig: [{ type: 'CREDIT_DEBIT_CARD_NUMBER', action: 'BLOCK' }],
        },
      });
      // A fixed linear congruential sequence: reproducible "random" numbers starting 4 (Visa's range).
      let seed = 20_240_601;
      const next = () => {
        seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
        return seed % 10;
      };
      let valid = 0;
      for (let n = 0; n < 200; n++) {
        const digits = `4${Array.from({ length: 15 }, next).join('')}`;
        const sum = [...digits]
          .reverse()
          .map(Number)
          .reduce((acc, d, i) => acc + (i % 2 === 1 ? (d * 2 > 9 ? d * 2 - 9 : d * 2) : d), 0);
        const found = applyGuardrail(g, 'INPUT', [`number ${digits}`]).action === 'GUARDRAIL_INTERVENED';
        assert.equal(found, sum % 10 === 0, digits);
        if (found) valid++;
      }
      // About one in ten passes Luhn; the rest are rejected.
      assert.ok(valid > 5 && valid < 50, `valid=${valid}`);
    });

    test('types without a local detector are accepted but never found', () => {
      assert.ok(UNDETECTED_PII_TYPES.includes('NAME'));
      assert.ok(UNDETECTED_PII_TYPES.includes('ADDRESS'));
      const g = guardrail({
        sensitiveInformationPolicyConfig: { piiEntitiesConfig: [{ type: 'NAME', action: 'BLOCK' }] },
      });
      const r = applyGuardrail(g, 'INPUT', ['My name is Jane Doe.']);
      assert.equal(r.action, 'NONE');
      assert.equal(r.usage.sensitiveInformationPolicyUnits, 1);
    });

    test('regex filters: ANONYMIZE masks with {name}, BLOCK blocks', () => {
      const g = guardrail({
        sensitiveInformationPolicyConfig: {
          regexesConfig: [
            { name: 'booking_id', pattern: '(?i)BK-\\d{6}', action: 'ANONYMIZE' },
            { name: 'internal', pattern: 'PROJECT-[A-Z]+', action: 'BLOCK' },
          ],
        },
      });
      const masked = applyGuardrail(g, 'INPUT', ['Booking bk-123456 confirmed.']);
      assert.equal(masked.action, 'GUARDRAIL_INTERVENED');
      assert.deepEqual(masked.outputs, [{ text: 'Booking {booking_id} confirmed.' }]);
      assert.deepEqual(masked.assessments[0]?.sensitiveInformationPolicy?.regexes, [
        { name: 'booking_id', match: 'bk-123456', regex: '(?i)BK-\\d{6}', action: 'ANONYMIZED', detected: true },
      ]);
      const blocked = applyGuardrail(g, 'INPUT', ['About PROJECT-ORION']);
      assert.deepEqual(blocked.outputs, [{ text: 'Input blocked.' }]);
      assert.equal(blocked.assessments[0]?.sensitiveInformationPolicy?.regexes[0]?.action, 'BLOCKED');
      assert.equal(blocked.usage.sensitiveInformationPolicyFreeUnits, 1);
      assert.equal(blocked.usage.sensitiveInformationPolicyUnits, 0);
    });

    test('regex filters scan the first regexScanCharacters characters of each text', () => {
      const g = guardrail({
        sensitiveInformationPolicyConfig: { regexesConfig: [{ name: 'marker', pattern: 'MARK', action: 'BLOCK' }] },
      });
      const cap = GUARDRAIL_LIMITS.regexScanCharacters;
      assert.equal(applyGuardrail(g, 'INPUT', [`${'x'.repeat(cap - 4)}MARK`]).action, 'GUARDRAIL_INTERVENED');
      assert.equal(applyGuardrail(g, 'INPUT', [`${'x'.repeat(cap)}MARK`]).action, 'NONE');
    });

    test('a catastrophically backtracking regex is stopped by the time budget', () => {
      const g = guardrail({
        sensitiveInformationPolicyConfig: { regexesConfig: [{ name: 'evil', pattern: '^(a+)+$', action: 'BLOCK' }] },
      });
      const started = performance.now();
      assert.throws(
        () => applyGuardrail(g, 'INPUT', [`${'a'.repeat(40)}!`]),
        (err) => err instanceof WireError && err.code === 'ValidationException' && /'evil'/.test(err.message),
      );
      assert.ok(performance.now() - started < 2000);
    });
  });

  describe('INPUT and OUTPUT', () => {
    const g = guardrail({
      wordPolicyConfig: {
        wordsConfig: [
          { text: 'secret', outputEnabled: false },
          { text: 'draft', inputAction: 'NONE' },
        ],
      },
    });

    test('each source gets its own blocked message', () => {
      const text = ['the draft plan'];
      assert.deepEqual(applyGuardrail(g, 'OUTPUT', text).outputs, [{ text: 'Output blocked.' }]);
      const input = guardrail({ wordPolicyConfig: { wordsConfig: [{ text: 'draft' }] } });
      assert.deepEqual(applyGuardrail(input, 'INPUT', text).outputs, [{ text: 'Input blocked.' }]);
    });

    test('a disabled direction is not evaluated', () => {
      assert.equal(applyGuardrail(g, 'INPUT', ['a secret']).action, 'GUARDRAIL_INTERVENED');
      const r = applyGuardrail(g, 'OUTPUT', ['a secret']);
      assert.equal(r.action, 'NONE');
      assert.equal(r.assessments[0]?.wordPolicy, undefined);
    });

    test('action NONE detects without intervening', () => {
      const r = applyGuardrail(g, 'INPUT', ['the draft plan']);
      assert.equal(r.action, 'NONE');
      assert.deepEqual(r.outputs, []);
      assert.deepEqual(r.assessments[0]?.wordPolicy?.customWords, [{ match: 'draft', action: 'NONE', detected: true }]);
    });
  });

  test('usage: text units of 1000 characters for each policy configured for the source', () => {
    const g = guardrail({
      topicPolicyConfig: { topicsConfig: [{ name: 'Politics', definition: 'Elections.', type: 'DENY' }] },
      contentPolicyConfig: { filtersConfig: [{ type: 'HATE', inputStrength: 'HIGH', outputStrength: 'NONE' }] },
      wordPolicyConfig: { wordsConfig: [{ text: 'acme' }] },
      contextualGroundingPolicyConfig: { filtersConfig: [{ type: 'GROUNDING', threshold: 0.5 }] },
    });
    const texts = ['a'.repeat(2500), 'b'.repeat(10)];
    const input = applyGuardrail(g, 'INPUT', texts);
    assert.deepEqual(input.usage, {
      topicPolicyUnits: 4,
      contentPolicyUnits: 4,
      wordPolicyUnits: 4,
      sensitiveInformationPolicyUnits: 0,
      sensitiveInformationPolicyFreeUnits: 0,
      contextualGroundingPolicyUnits: 0,
    });
    assert.deepEqual(input.guardrailCoverage, { textCharacters: { guarded: 2510, total: 2510 } });
    assert.deepEqual(input.assessments[0]?.invocationMetrics.usage, input.usage);
    // The content filter's output strength is NONE: nothing to bill on OUTPUT.
    assert.equal(applyGuardrail(g, 'OUTPUT', texts).usage.contentPolicyUnits, 0);
    assert.deepEqual(applyGuardrail({ ...MESSAGES }, 'INPUT', ['hello']).guardrailCoverage, {
      textCharacters: { guarded: 0, total: 5 },
    });
  });

  test('NOT_ENFORCED names what is accepted but not enforced', () => {
    const configs = NOT_ENFORCED.filter((n) => n.kind === 'ignored').map((n) => n.config);
    assert.ok(configs.includes('contentPolicyConfig'));
    assert.ok(configs.includes('contextualGroundingPolicyConfig'));
    assert.deepEqual([...LOCALLY_DETECTED_PII_TYPES, ...UNDETECTED_PII_TYPES].sort(), [...PII_ENTITY_TYPES].sort());
  });
});
