/**
 * The Bedrock guardrail engine: validates the policy parts of CreateGuardrail / UpdateGuardrail, renders them as
 * GetGuardrail describes them, and runs the filters that can run without a model for ApplyGuardrail.
 *
 * Sources (Amazon Bedrock API Reference): CreateGuardrail, UpdateGuardrail, GetGuardrail, GuardrailTopicConfig,
 * GuardrailContentFilterConfig, GuardrailWordConfig, GuardrailManagedWordsConfig, GuardrailPiiEntityConfig,
 * GuardrailRegexConfig, GuardrailContextualGroundingFilterConfig and their GetGuardrail twins (GuardrailTopic, …);
 * runtime ApplyGuardrail, GuardrailAssessment, GuardrailTopicPolicyAssessment, GuardrailWordPolicyAssessment,
 * GuardrailSensitiveInformationPolicyAssessment, GuardrailPiiEntityFilter, GuardrailRegexFilter, GuardrailUsage,
 * GuardrailInvocationMetrics, GuardrailCoverage. Amazon Bedrock User Guide: "Create your guardrail" (components),
 * "Block denied topics to help remove harmful content", "Remove PII from conversations by using sensitive information
 * filters", "Remove a specific list of words and phrases from conversations with word filters", "Use the
 * ApplyGuardrail API in your application".
 *
 * Differences from AWS, stated plainly (also listed in NOT_ENFORCED):
 * - Denied topics are matched by keywords, not by AWS's classifier model. Text and phrases are compared as word
 *   sequences: lower-cased, every run of characters other than letters and digits acting as one separator, so a
 *   phrase matches only whole words ("ban" does not match "bank"). A topic matches a text when the text contains
 *   (1) the topic's name as a phrase ("Investment_Advice" is the phrase "investment advice"), or (2) any of its
 *   examples as a phrase, or (3) a distinctive keyword: a word of the name with at least 4 letters or digits that is
 *   not in GENERIC_TOPIC_WORDS ("Investment_Advice" has the keyword "investment"; "advice" is generic). The
 *   definition is never matched: it is prose written for a model.
 * - Word filters match custom words and phrases with the same word-sequence comparison (AWS: "exact match", here
 *   also case-insensitive); a configured word with no letter or digit never matches. The PROFANITY managed list is
 *   a small built-in English list (PROFANITY_WORDS); AWS's list is larger and maintained by AWS.
 * - Sensitive information: the PII types in LOCALLY_DETECTED_PII_TYPES are found by pattern (with checksums where
 *   the format has one: Luhn for cards and Canadian SINs, ABA for routing numbers, mod-97 for IBANs); AWS uses a
 *   context-aware model, so it also finds numbers that only context identifies. The other PII types are accepted
 *   and described but never detected.
 * - Regex filters run with JavaScript RegExp (a leading `(?i)`, `(?m)` or `(?s)` is read as the flag). Each text is
 *   scanned up to GUARDRAIL_LIMITS.regexScanCharacters characters, at most GUARDRAIL_LIMITS.regexMatchesPerText
 *   matches, and each pattern gets GUARDRAIL_LIMITS.regexTimeBudgetMs milliseconds per text (run in a node:vm
 *   context whose timeout interrupts catastrophic backtracking); a pattern over budget fails the call with a
 *   ValidationException naming it, rather than silently letting the text through.
 * - Content filters and contextual grounding are accepted, validated, stored and described, never assessed.
 */

import { isIPv4, isIPv6 } from 'node:net';
import vm from 'node:vm';
import { WireError } from '../../protocols/wire-error.js';

// ---------------------------------------------------------------------------------------------------------------
// Limits and enumerations
// ---------------------------------------------------------------------------------------------------------------

/**
 * The documented limits (API Reference: GuardrailTopicConfig, GuardrailTopicPolicyConfig, GuardrailContentPolicyConfig,
 * GuardrailWordConfig, GuardrailWordPolicyConfig, GuardrailRegexConfig, GuardrailSensitiveInformationPolicyConfig,
 * CreateGuardrail blockedInputMessaging) and basalt's own bounds for running user regular expressions.
 */
export const GUARDRAIL_LIMITS = {
  topics: 30,
  topicNameLength: 100,
  topicDefinitionLength: 200,
  topicExamples: 5,
  topicExampleLength: 100,
  contentFilters: 6,
  words: 10_000,
  wordLength: 100,
  regexes: 10,
  regexNameLength: 100,
  regexDescriptionLength: 1000,
  regexPatternLength: 500,
  blockedMessagingLength: 500,
  /** AWS bills guardrails in text units of up to 1000 characters (GuardrailUsage). */
  textUnitCharacters: 1000,
  /** basalt: characters of each text that user regex filters scan; the rest is not scanned by them. */
  regexScanCharacters: 25_000,
  /** basalt: wall-clock budget of one user regex over one text. */
  regexTimeBudgetMs: 50,
  /** basalt: matches of one user regex reported per text. */
  regexMatchesPerText: 100,
} as const;

const TOPIC_TYPES = ['DENY'] as const;
const BLOCK_OR_NONE = ['BLOCK', 'NONE'] as const;
const CONTENT_FILTER_TYPES = ['SEXUAL', 'VIOLENCE', 'HATE', 'INSULTS', 'MISCONDUCT', 'PROMPT_ATTACK'] as const;
const FILTER_STRENGTHS = ['NONE', 'LOW', 'MEDIUM', 'HIGH'] as const;
const MODALITIES = ['TEXT', 'IMAGE'] as const;
const MANAGED_WORD_TYPES = ['PROFANITY'] as const;
const SENSITIVE_ACTIONS = ['BLOCK', 'ANONYMIZE', 'NONE'] as const;
const GROUNDING_TYPES = ['GROUNDING', 'RELEVANCE'] as const;
const TIER_NAMES = ['CLASSIC', 'STANDARD'] as const;

/** Every PII entity type of the API Reference's GuardrailPiiEntityConfig `type` enum, in the model's order. */
export const PII_ENTITY_TYPES = [
  'ADDRESS',
  'AGE',
  'AWS_ACCESS_KEY',
  'AWS_SECRET_KEY',
  'CA_HEALTH_NUMBER',
  'CA_SOCIAL_INSURANCE_NUMBER',
  'CREDIT_DEBIT_CARD_CVV',
  'CREDIT_DEBIT_CARD_EXPIRY',
  'CREDIT_DEBIT_CARD_NUMBER',
  'DRIVER_ID',
  'EMAIL',
  'INTERNATIONAL_BANK_ACCOUNT_NUMBER',
  'IP_ADDRESS',
  'LICENSE_PLATE',
  'MAC_ADDRESS',
  'NAME',
  'PASSWORD',
  'PHONE',
  'PIN',
  'SWIFT_CODE',
  'UK_NATIONAL_HEALTH_SERVICE_NUMBER',
  'UK_NATIONAL_INSURANCE_NUMBER',
  'UK_UNIQUE_TAXPAYER_REFERENCE_NUMBER',
  'URL',
  'USERNAME',
  'US_BANK_ACCOUNT_NUMBER',
  'US_BANK_ROUTING_NUMBER',
  'US_INDIVIDUAL_TAX_IDENTIFICATION_NUMBER',
  'US_PASSPORT_NUMBER',
  'US_SOCIAL_SECURITY_NUMBER',
  'VEHICLE_IDENTIFICATION_NUMBER',
] as const;

// ---------------------------------------------------------------------------------------------------------------
// Configuration types (CreateGuardrail / UpdateGuardrail request shapes)
// ---------------------------------------------------------------------------------------------------------------

/** The PII entity types of GuardrailPiiEntityConfig (API Reference). */
export type GuardrailPiiEntityType = (typeof PII_ENTITY_TYPES)[number];
/** GuardrailTopicAction / GuardrailWordAction / GuardrailContentFilterAction (API Reference): BLOCK or NONE. */
export type GuardrailBlockAction = (typeof BLOCK_OR_NONE)[number];
/** GuardrailSensitiveInformationAction (API Reference): BLOCK, ANONYMIZE or NONE (detect only). */
export type GuardrailSensitiveInformationAction = (typeof SENSITIVE_ACTIONS)[number];
/** GuardrailContentFilterType (API Reference). */
export type GuardrailContentFilterType = (typeof CONTENT_FILTER_TYPES)[number];
/** GuardrailFilterStrength (API Reference). */
export type GuardrailFilterStrength = (typeof FILTER_STRENGTHS)[number];
/** GuardrailModality (API Reference). */
export type GuardrailModality = (typeof MODALITIES)[number];
/** GuardrailContextualGroundingFilterType (API Reference). */
export type GuardrailContextualGroundingFilterType = (typeof GROUNDING_TYPES)[number];
/** The ApplyGuardrail `source` (API Reference: ApplyGuardrail, GuardrailContentSource). */
export type GuardrailContentSource = 'INPUT' | 'OUTPUT';

/**
 * The per-direction switches every filter entry carries since detect mode (API Reference: GuardrailTopicConfig,
 * GuardrailWordConfig, GuardrailPiiEntityConfig, …: inputAction, outputAction, inputEnabled, outputEnabled).
 */
export interface GuardrailDirectional<A extends string> {
  inputAction?: A;
  outputAction?: A;
  inputEnabled?: boolean;
  outputEnabled?: boolean;
}

/** GuardrailTopicsTierConfig / GuardrailContentFiltersTierConfig / …TierConfig (API Reference). */
export interface GuardrailTierConfig {
  tierName: (typeof TIER_NAMES)[number];
}

/** GuardrailTopicConfig (API Reference). */
export interface GuardrailTopicConfig extends GuardrailDirectional<GuardrailBlockAction> {
  name: string;
  definition: string;
  examples?: string[];
  type: 'DENY';
}

/** GuardrailTopicPolicyConfig (API Reference). */
export interface GuardrailTopicPolicyConfig {
  topicsConfig: GuardrailTopicConfig[];
  tierConfig?: GuardrailTierConfig;
}

/** GuardrailContentFilterConfig (API Reference). */
export interface GuardrailContentFilterConfig extends GuardrailDirectional<GuardrailBlockAction> {
  type: GuardrailContentFilterType;
  inputStrength: GuardrailFilterStrength;
  outputStrength: GuardrailFilterStrength;
  inputModalities?: GuardrailModality[];
  outputModalities?: GuardrailModality[];
}

/** GuardrailContentPolicyConfig (API Reference). */
export interface GuardrailContentPolicyConfig {
  filtersConfig: GuardrailContentFilterConfig[];
  tierConfig?: GuardrailTierConfig;
}

/** GuardrailWordConfig (API Reference). */
export interface GuardrailWordConfig extends GuardrailDirectional<GuardrailBlockAction> {
  text: string;
}

/** GuardrailManagedWordsConfig (API Reference). */
export interface GuardrailManagedWordsConfig extends GuardrailDirectional<GuardrailBlockAction> {
  type: 'PROFANITY';
}

/** GuardrailWordPolicyConfig (API Reference). */
export interface GuardrailWordPolicyConfig {
  wordsConfig?: GuardrailWordConfig[];
  managedWordListsConfig?: GuardrailManagedWordsConfig[];
}

/** GuardrailPiiEntityConfig (API Reference). */
export interface GuardrailPiiEntityConfig extends GuardrailDirectional<GuardrailSensitiveInformationAction> {
  type: GuardrailPiiEntityType;
  action: GuardrailSensitiveInformationAction;
}

/** GuardrailRegexConfig (API Reference). */
export interface GuardrailRegexConfig extends GuardrailDirectional<GuardrailSensitiveInformationAction> {
  name: string;
  description?: string;
  pattern: string;
  action: GuardrailSensitiveInformationAction;
}

/** GuardrailSensitiveInformationPolicyConfig (API Reference). */
export interface GuardrailSensitiveInformationPolicyConfig {
  piiEntitiesConfig?: GuardrailPiiEntityConfig[];
  regexesConfig?: GuardrailRegexConfig[];
}

/** GuardrailContextualGroundingFilterConfig (API Reference). */
export interface GuardrailContextualGroundingFilterConfig {
  type: GuardrailContextualGroundingFilterType;
  threshold: number;
  action?: GuardrailBlockAction;
  enabled?: boolean;
}

/** GuardrailContextualGroundingPolicyConfig (API Reference). */
export interface GuardrailContextualGroundingPolicyConfig {
  filtersConfig: GuardrailContextualGroundingFilterConfig[];
  tierConfig?: GuardrailTierConfig;
}

/**
 * The policy parts of a CreateGuardrail / UpdateGuardrail request (API Reference: CreateGuardrail request body),
 * normalized: only the members the API defines, each part absent when the request did not give it.
 */
export interface GuardrailPolicies {
  topicPolicyConfig?: GuardrailTopicPolicyConfig;
  contentPolicyConfig?: GuardrailContentPolicyConfig;
  wordPolicyConfig?: GuardrailWordPolicyConfig;
  sensitiveInformationPolicyConfig?: GuardrailSensitiveInformationPolicyConfig;
  contextualGroundingPolicyConfig?: GuardrailContextualGroundingPolicyConfig;
}

/** The blocked messages of CreateGuardrail / UpdateGuardrail (API Reference: blockedInputMessaging, …Outputs…). */
export interface GuardrailMessaging {
  blockedInputMessaging: string;
  blockedOutputsMessaging: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------------------------

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Smithy counts string length in Unicode code points, not UTF-16 units. */
function codePoints(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/**
 * Collects constraint violations worded as Bedrock's (Smithy) validation does: "Value 'x' at 'a.b.1.member.c'
 * failed to satisfy constraint: Member must …". Values of sensitive members, over-long values and lists are left
 * out of the message, as AWS leaves them out.
 */
class Violations {
  readonly errors: string[] = [];

  add(path: string, constraint: string, shown?: string): void {
    const value = shown === undefined ? 'Value' : `Value ${shown}`;
    this.errors.push(`${value} at '${path}' failed to satisfy constraint: ${constraint}`);
  }

  /** Absent or JSON null: Smithy reads both as "not set". Reports a missing required member. */
  missing(path: string, value: unknown, required: boolean): boolean {
    if (value !== undefined && value !== null) return false;
    if (required) this.add(path, 'Member must not be null', 'null');
    return true;
  }

  object(path: string, value: unknown, required: boolean): Json | undefined {
    if (this.missing(path, value, required)) return undefined;
    if (!isRecord(value)) {
      this.add(path, 'Member must be a structure');
      return undefined;
    }
    return value;
  }

  list(path: string, value: unknown, rule: { required?: boolean; min?: number; max?: number }): unknown[] {
    if (this.missing(path, value, rule.required === true)) return [];
    if (!Array.isArray(value)) {
      this.add(path, 'Member must be a list');
      return [];
    }
    if (rule.min !== undefined && value.length < rule.min) {
      this.add(path, `Member must have length greater than or equal to ${rule.min}`);
    } else if (rule.max !== undefined && value.length > rule.max) {
      this.add(path, `Member must have length less than or equal to ${rule.max}`);
    }
    return value;
  }

  string(path: string, value: unknown, rule: StringRule): string | undefined {
    if (this.missing(path, value, rule.required === true)) return undefined;
    if (typeof value !== 'string') {
      this.add(path, 'Member must be a string');
      return undefined;
    }
    const shown = rule.sensitive === true ? undefined : `'${value}'`;
    const length = codePoints(value);
    if (rule.min !== undefined && length < rule.min) {
      this.add(path, `Member must have length greater than or equal to ${rule.min}`, shown);
    } else if (rule.max !== undefined && length > rule.max) {
      this.add(path, `Member must have length less than or equal to ${rule.max}`);
    } else if (rule.pattern !== undefined && !rule.pattern.test(value)) {
      this.add(
        path,
        `Member must satisfy regular expression pattern: ${rule.patternText ?? rule.pattern.source}`,
        shown,
      );
    }
    return value;
  }

  enumValue<T extends string>(path: string, value: unknown, values: readonly T[], required: boolean): T | undefined {
    if (this.missing(path, value, required)) return undefined;
    if (typeof value !== 'string') {
      this.add(path, 'Member must be a string');
      return undefined;
    }
    const found = values.find((v) => v === value);
    if (found === undefined) {
      this.add(path, `Member must satisfy enum value set: [${values.join(', ')}]`, `'${value}'`);
    }
    return found;
  }

  boolean(path: string, value: unknown): boolean | undefined {
    if (this.missing(path, value, false)) return undefined;
    if (typeof value !== 'boolean') {
      this.add(path, 'Member must be a boolean');
      return undefined;
    }
    return value;
  }

  number(path: string, value: unknown, rule: { required: boolean; min: number }): number | undefined {
    if (this.missing(path, value, rule.required)) return undefined;
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      this.add(path, 'Member must be a number');
      return undefined;
    }
    if (value < rule.min) {
      this.add(path, `Member must have value greater than or equal to ${rule.min}`, `'${value}'`);
    }
    return value;
  }
}

interface StringRule {
  required?: boolean;
  min?: number;
  max?: number;
  pattern?: RegExp;
  /** The pattern as the API Reference prints it, when the JavaScript spelling differs. */
  patternText?: string;
  /** A @sensitive member: its value never appears in messages. */
  sensitive?: boolean;
}

/** `a.b` + list index 0 → `a.b.1.member`: Smithy's 1-based list member path. */
function member(path: string, index: number): string {
  return `${path}.${index + 1}.member`;
}

function directional<A extends string>(
  v: Violations,
  path: string,
  o: Json,
  actions: readonly A[],
): GuardrailDirectional<A> {
  const out: GuardrailDirectional<A> = {};
  const inputAction = v.enumValue(`${path}.inputAction`, o.inputAction, actions, false);
  if (inputAction !== undefined) out.inputAction = inputAction;
  const outputAction = v.enumValue(`${path}.outputAction`, o.outputAction, actions, false);
  if (outputAction !== undefined) out.outputAction = outputAction;
  const inputEnabled = v.boolean(`${path}.inputEnabled`, o.inputEnabled);
  if (inputEnabled !== undefined) out.inputEnabled = inputEnabled;
  const outputEnabled = v.boolean(`${path}.outputEnabled`, o.outputEnabled);
  if (outputEnabled !== undefined) out.outputEnabled = outputEnabled;
  return out;
}

function tierConfig(v: Violations, path: string, value: unknown): GuardrailTierConfig | undefined {
  const o = v.object(path, value, false);
  if (o === undefined) return undefined;
  const tierName = v.enumValue(`${path}.tierName`, o.tierName, TIER_NAMES, true);
  return tierName === undefined ? undefined : { tierName };
}

// The JavaScript spelling of the API Reference's GuardrailTopicName pattern `^[0-9a-zA-Z-_ !?.]+$`.
const TOPIC_NAME = /^[0-9a-zA-Z\-_ !?.]+$/;

function topicPolicy(v: Violations, value: unknown): GuardrailTopicPolicyConfig | undefined {
  const path = 'topicPolicyConfig';
  const o = v.object(path, value, false);
  if (o === undefined) return undefined;
  const listPath = `${path}.topicsConfig`;
  const topicsConfig: GuardrailTopicConfig[] = [];
  const L = GUARDRAIL_LIMITS;
  for (const [i, item] of v.list(listPath, o.topicsConfig, { required: true, min: 1, max: L.topics }).entries()) {
    const at = member(listPath, i);
    const t = v.object(at, item, true);
    if (t === undefined) continue;
    const name = v.string(`${at}.name`, t.name, {
      required: true,
      min: 1,
      max: L.topicNameLength,
      pattern: TOPIC_NAME,
      patternText: '^[0-9a-zA-Z-_ !?.]+$',
      sensitive: true,
    });
    const definition = v.string(`${at}.definition`, t.definition, {
      required: true,
      min: 1,
      max: L.topicDefinitionLength,
      sensitive: true,
    });
    const examplesPath = `${at}.examples`;
    const examples: string[] = [];
    const rawExamples = v.list(examplesPath, t.examples, { min: 0, max: L.topicExamples });
    for (const [j, example] of rawExamples.entries()) {
      const text = v.string(member(examplesPath, j), example, {
        required: true,
        min: 1,
        max: L.topicExampleLength,
        sensitive: true,
      });
      if (text !== undefined) examples.push(text);
    }
    const type = v.enumValue(`${at}.type`, t.type, TOPIC_TYPES, true);
    topicsConfig.push({
      name: name ?? '',
      definition: definition ?? '',
      ...(Array.isArray(t.examples) && { examples }),
      type: type ?? 'DENY',
      ...directional(v, at, t, BLOCK_OR_NONE),
    });
  }
  const tier = tierConfig(v, `${path}.tierConfig`, o.tierConfig);
  return { topicsConfig, ...(tier !== undefined && { tierConfig: tier }) };
}

function modalities(v: Violations, path: string, value: unknown): GuardrailModality[] | undefined {
  if (value === undefined || value === null) return undefined;
  const out: GuardrailModality[] = [];
  for (const [i, item] of v.list(path, value, { min: 1 }).entries()) {
    const modality = v.enumValue(member(path, i), item, MODALITIES, true);
    if (modality !== undefined) out.push(modality);
  }
  return out;
}

function contentPolicy(v: Violations, value: unknown): GuardrailContentPolicyConfig | undefined {
  const path = 'contentPolicyConfig';
  const o = v.object(path, value, false);
  if (o === undefined) return undefined;
  const listPath = `${path}.filtersConfig`;
  const filtersConfig: GuardrailContentFilterConfig[] = [];
  const rule = { required: true, min: 1, max: GUARDRAIL_LIMITS.contentFilters };
  for (const [i, item] of v.list(listPath, o.filtersConfig, rule).entries()) {
    const at = member(listPath, i);
    const f = v.object(at, item, true);
    if (f === undefined) continue;
    const type = v.enumValue(`${at}.type`, f.type, CONTENT_FILTER_TYPES, true);
    const inputStrength = v.enumValue(`${at}.inputStrength`, f.inputStrength, FILTER_STRENGTHS, true);
    const outputStrength = v.enumValue(`${at}.outputStrength`, f.outputStrength, FILTER_STRENGTHS, true);
    const inputModalities = modalities(v, `${at}.inputModalities`, f.inputModalities);
    const outputModalities = modalities(v, `${at}.outputModalities`, f.outputModalities);
    filtersConfig.push({
      type: type ?? 'HATE',
      inputStrength: inputStrength ?? 'NONE',
      outputStrength: outputStrength ?? 'NONE',
      ...(inputModalities !== undefined && { inputModalities }),
      ...(outputModalities !== undefined && { outputModalities }),
      ...directional(v, at, f, BLOCK_OR_NONE),
    });
  }
  const tier = tierConfig(v, `${path}.tierConfig`, o.tierConfig);
  return { filtersConfig, ...(tier !== undefined && { tierConfig: tier }) };
}

function wordPolicy(v: Violations, value: unknown): GuardrailWordPolicyConfig | undefined {
  const path = 'wordPolicyConfig';
  const o = v.object(path, value, false);
  if (o === undefined) return undefined;
  const out: GuardrailWordPolicyConfig = {};
  if (o.wordsConfig !== undefined && o.wordsConfig !== null) {
    const listPath = `${path}.wordsConfig`;
    const wordsConfig: GuardrailWordConfig[] = [];
    const rule = { min: 1, max: GUARDRAIL_LIMITS.words };
    for (const [i, item] of v.list(listPath, o.wordsConfig, rule).entries()) {
      const at = member(listPath, i);
      const w = v.object(at, item, true);
      if (w === undefined) continue;
      const text = v.string(`${at}.text`, w.text, { required: true, min: 1, max: GUARDRAIL_LIMITS.wordLength });
      wordsConfig.push({ text: text ?? '', ...directional(v, at, w, BLOCK_OR_NONE) });
    }
    out.wordsConfig = wordsConfig;
  }
  if (o.managedWordListsConfig !== undefined && o.managedWordListsConfig !== null) {
    const listPath = `${path}.managedWordListsConfig`;
    const managedWordListsConfig: GuardrailManagedWordsConfig[] = [];
    for (const [i, item] of v.list(listPath, o.managedWordListsConfig, {}).entries()) {
      const at = member(listPath, i);
      const m = v.object(at, item, true);
      if (m === undefined) continue;
      const type = v.enumValue(`${at}.type`, m.type, MANAGED_WORD_TYPES, true);
      managedWordListsConfig.push({ type: type ?? 'PROFANITY', ...directional(v, at, m, BLOCK_OR_NONE) });
    }
    out.managedWordListsConfig = managedWordListsConfig;
  }
  return out;
}

/**
 * A user pattern as JavaScript runs it: a leading inline flag group such as `(?i)` (common in patterns written for
 * Java or PCRE, which JavaScript does not accept) becomes the RegExp flag. Throws SyntaxError when it cannot compile.
 */
function userRegExp(pattern: string): { source: string; flags: string } {
  let source = pattern;
  let flags = 'g';
  const inline = /^\(\?([a-zA-Z]+)\)/.exec(pattern);
  if (inline !== null) {
    for (const flag of inline[1] ?? '') {
      if (flag !== 'i' && flag !== 'm' && flag !== 's') throw new SyntaxError(`unsupported inline flag '${flag}'`);
      if (!flags.includes(flag)) flags += flag;
    }
    source = pattern.slice(inline[0].length);
  }
  new RegExp(source, flags);
  return { source, flags };
}

function sensitiveInformationPolicy(
  v: Violations,
  value: unknown,
): GuardrailSensitiveInformationPolicyConfig | undefined {
  const path = 'sensitiveInformationPolicyConfig';
  const o = v.object(path, value, false);
  if (o === undefined) return undefined;
  const out: GuardrailSensitiveInformationPolicyConfig = {};
  if (o.piiEntitiesConfig !== undefined && o.piiEntitiesConfig !== null) {
    const listPath = `${path}.piiEntitiesConfig`;
    const piiEntitiesConfig: GuardrailPiiEntityConfig[] = [];
    for (const [i, item] of v.list(listPath, o.piiEntitiesConfig, { min: 1 }).entries()) {
      const at = member(listPath, i);
      const e = v.object(at, item, true);
      if (e === undefined) continue;
      const type = v.enumValue(`${at}.type`, e.type, PII_ENTITY_TYPES, true);
      const action = v.enumValue(`${at}.action`, e.action, SENSITIVE_ACTIONS, true);
      piiEntitiesConfig.push({
        type: type ?? 'EMAIL',
        action: action ?? 'BLOCK',
        ...directional(v, at, e, SENSITIVE_ACTIONS),
      });
    }
    out.piiEntitiesConfig = piiEntitiesConfig;
  }
  if (o.regexesConfig !== undefined && o.regexesConfig !== null) {
    const listPath = `${path}.regexesConfig`;
    const regexesConfig: GuardrailRegexConfig[] = [];
    const L = GUARDRAIL_LIMITS;
    for (const [i, item] of v.list(listPath, o.regexesConfig, { min: 1, max: L.regexes }).entries()) {
      const at = member(listPath, i);
      const r = v.object(at, item, true);
      if (r === undefined) continue;
      const name = v.string(`${at}.name`, r.name, { required: true, min: 1, max: L.regexNameLength });
      const description = v.string(`${at}.description`, r.description, { min: 1, max: L.regexDescriptionLength });
      const before = v.errors.length;
      const pattern = v.string(`${at}.pattern`, r.pattern, { required: true, min: 1, max: L.regexPatternLength });
      if (pattern !== undefined && v.errors.length === before) {
        try {
          userRegExp(pattern);
        } catch (err) {
          // AWS does not document its wording for an uncompilable pattern; this keeps the Smithy form.
          const reason = err instanceof Error ? err.message : String(err);
          v.add(`${at}.pattern`, `Member must be a valid regular expression (${reason})`, `'${pattern}'`);
        }
      }
      const action = v.enumValue(`${at}.action`, r.action, SENSITIVE_ACTIONS, true);
      regexesConfig.push({
        name: name ?? '',
        ...(description !== undefined && { description }),
        pattern: pattern ?? '',
        action: action ?? 'BLOCK',
        ...directional(v, at, r, SENSITIVE_ACTIONS),
      });
    }
    out.regexesConfig = regexesConfig;
  }
  return out;
}

function contextualGroundingPolicy(
  v: Violations,
  value: unknown,
): GuardrailContextualGroundingPolicyConfig | undefined {
  const path = 'contextualGroundingPolicyConfig';
  const o = v.object(path, value, false);
  if (o === undefined) return undefined;
  const listPath = `${path}.filtersConfig`;
  const filtersConfig: GuardrailContextualGroundingFilterConfig[] = [];
  for (const [i, item] of v.list(listPath, o.filtersConfig, { required: true, min: 1 }).entries()) {
    const at = member(listPath, i);
    const f = v.object(at, item, true);
    if (f === undefined) continue;
    const type = v.enumValue(`${at}.type`, f.type, GROUNDING_TYPES, true);
    const threshold = v.number(`${at}.threshold`, f.threshold, { required: true, min: 0 });
    const action = v.enumValue(`${at}.action`, f.action, BLOCK_OR_NONE, false);
    const enabled = v.boolean(`${at}.enabled`, f.enabled);
    filtersConfig.push({
      type: type ?? 'GROUNDING',
      threshold: threshold ?? 0,
      ...(action !== undefined && { action }),
      ...(enabled !== undefined && { enabled }),
    });
  }
  const tier = tierConfig(v, `${path}.tierConfig`, o.tierConfig);
  return { filtersConfig, ...(tier !== undefined && { tierConfig: tier }) };
}

/**
 * Validates the policy parts and blocked messages of a CreateGuardrail or UpdateGuardrail request body (API
 * Reference: CreateGuardrail, UpdateGuardrail and the Guardrail*Config shapes): required members, enums, lengths,
 * list sizes, the topic name pattern, and that every regex filter compiles. Collects every violation and throws one
 * `ValidationException` worded as Bedrock's: "2 validation errors detected: Value 'X' at
 * 'topicPolicyConfig.topicsConfig.1.member.type' failed to satisfy constraint: Member must satisfy enum value set:
 * [DENY]; …". Returns the normalized policies and messages; unknown members are dropped, as AWS ignores them.
 */
export function validateGuardrailPolicies(input: unknown): GuardrailPolicies & GuardrailMessaging {
  const body = isRecord(input) ? input : {};
  const v = new Violations();
  const out: GuardrailPolicies = {};
  const topic = topicPolicy(v, body.topicPolicyConfig);
  if (topic !== undefined) out.topicPolicyConfig = topic;
  const content = contentPolicy(v, body.contentPolicyConfig);
  if (content !== undefined) out.contentPolicyConfig = content;
  const word = wordPolicy(v, body.wordPolicyConfig);
  if (word !== undefined) out.wordPolicyConfig = word;
  const sensitive = sensitiveInformationPolicy(v, body.sensitiveInformationPolicyConfig);
  if (sensitive !== undefined) out.sensitiveInformationPolicyConfig = sensitive;
  const grounding = contextualGroundingPolicy(v, body.contextualGroundingPolicyConfig);
  if (grounding !== undefined) out.contextualGroundingPolicyConfig = grounding;
  const messaging: StringRule = {
    required: true,
    min: 1,
    max: GUARDRAIL_LIMITS.blockedMessagingLength,
    sensitive: true,
  };
  const blockedInputMessaging = v.string('blockedInputMessaging', body.blockedInputMessaging, messaging);
  const blockedOutputsMessaging = v.string('blockedOutputsMessaging', body.blockedOutputsMessaging, messaging);
  const n = v.errors.length;
  if (n > 0) {
    throw new WireError(
      'ValidationException',
      `${n} validation error${n === 1 ? '' : 's'} detected: ${v.errors.join('; ')}`,
    );
  }
  return {
    ...out,
    blockedInputMessaging: blockedInputMessaging ?? '',
    blockedOutputsMessaging: blockedOutputsMessaging ?? '',
  };
}

// ---------------------------------------------------------------------------------------------------------------
// GetGuardrail
// ---------------------------------------------------------------------------------------------------------------

/** The effective per-direction switches GetGuardrail reports for each entry (API Reference: GuardrailTopic, …). */
export interface GuardrailEffectiveDirectional<A extends string> {
  inputAction: A;
  outputAction: A;
  inputEnabled: boolean;
  outputEnabled: boolean;
}

/** GuardrailTopic (API Reference, GetGuardrail response). */
export interface GuardrailTopicDescription extends GuardrailEffectiveDirectional<GuardrailBlockAction> {
  name: string;
  definition: string;
  examples?: string[];
  type: 'DENY';
}

/** GuardrailContentFilter (API Reference, GetGuardrail response). */
export interface GuardrailContentFilterDescription extends GuardrailEffectiveDirectional<GuardrailBlockAction> {
  type: GuardrailContentFilterType;
  inputStrength: GuardrailFilterStrength;
  outputStrength: GuardrailFilterStrength;
  inputModalities: GuardrailModality[];
  outputModalities: GuardrailModality[];
}

/** GuardrailWord (API Reference, GetGuardrail response). */
export interface GuardrailWordDescription extends GuardrailEffectiveDirectional<GuardrailBlockAction> {
  text: string;
}

/** GuardrailManagedWords (API Reference, GetGuardrail response). */
export interface GuardrailManagedWordsDescription extends GuardrailEffectiveDirectional<GuardrailBlockAction> {
  type: 'PROFANITY';
}

/** GuardrailPiiEntity (API Reference, GetGuardrail response). */
export interface GuardrailPiiEntityDescription
  extends GuardrailEffectiveDirectional<GuardrailSensitiveInformationAction> {
  type: GuardrailPiiEntityType;
  action: GuardrailSensitiveInformationAction;
}

/** GuardrailRegex (API Reference, GetGuardrail response). */
export interface GuardrailRegexDescription extends GuardrailEffectiveDirectional<GuardrailSensitiveInformationAction> {
  name: string;
  description?: string;
  pattern: string;
  action: GuardrailSensitiveInformationAction;
}

/** GuardrailContextualGroundingFilter (API Reference, GetGuardrail response). */
export interface GuardrailContextualGroundingFilterDescription {
  type: GuardrailContextualGroundingFilterType;
  threshold: number;
  action: GuardrailBlockAction;
  enabled: boolean;
}

/**
 * The policy members of the GetGuardrail response (API Reference: GetGuardrail; GuardrailTopicPolicy,
 * GuardrailContentPolicy, GuardrailWordPolicy, GuardrailSensitiveInformationPolicy,
 * GuardrailContextualGroundingPolicy). Names differ from the request's: `topicPolicy.topics`, `wordPolicy.words`,
 * `sensitiveInformationPolicy.piiEntities`, `tier` for `tierConfig`, …
 */
export interface GuardrailPolicyDescription {
  topicPolicy?: { topics: GuardrailTopicDescription[]; tier?: GuardrailTierConfig };
  contentPolicy?: { filters: GuardrailContentFilterDescription[]; tier?: GuardrailTierConfig };
  wordPolicy?: { words?: GuardrailWordDescription[]; managedWordLists?: GuardrailManagedWordsDescription[] };
  sensitiveInformationPolicy?: { piiEntities?: GuardrailPiiEntityDescription[]; regexes?: GuardrailRegexDescription[] };
  contextualGroundingPolicy?: { filters: GuardrailContextualGroundingFilterDescription[]; tier?: GuardrailTierConfig };
}

/** The switches with AWS's defaults filled in: the entry's own action (or BLOCK), enabled in both directions. */
function effective<A extends string>(d: GuardrailDirectional<A>, action: A): GuardrailEffectiveDirectional<A> {
  return {
    inputAction: d.inputAction ?? action,
    outputAction: d.outputAction ?? action,
    inputEnabled: d.inputEnabled ?? true,
    outputEnabled: d.outputEnabled ?? true,
  };
}

/**
 * Renders stored policies as the GetGuardrail response does (API Reference: GetGuardrail), with the effective
 * per-direction actions and switches filled in (BLOCK or the entry's `action`, enabled, TEXT modality), so a
 * client sees what ApplyGuardrail will do.
 */
export function describeGuardrailPolicies(p: GuardrailPolicies): GuardrailPolicyDescription {
  const out: GuardrailPolicyDescription = {};
  const topics = p.topicPolicyConfig;
  if (topics !== undefined) {
    out.topicPolicy = {
      topics: topics.topicsConfig.map((t) => ({
        name: t.name,
        definition: t.definition,
        ...(t.examples !== undefined && { examples: [...t.examples] }),
        type: t.type,
        ...effective(t, 'BLOCK'),
      })),
      ...(topics.tierConfig !== undefined && { tier: { ...topics.tierConfig } }),
    };
  }
  const content = p.contentPolicyConfig;
  if (content !== undefined) {
    out.contentPolicy = {
      filters: content.filtersConfig.map((f) => ({
        type: f.type,
        inputStrength: f.inputStrength,
        outputStrength: f.outputStrength,
        inputModalities: [...(f.inputModalities ?? ['TEXT'])],
        outputModalities: [...(f.outputModalities ?? ['TEXT'])],
        ...effective(f, 'BLOCK'),
      })),
      ...(content.tierConfig !== undefined && { tier: { ...content.tierConfig } }),
    };
  }
  const word = p.wordPolicyConfig;
  if (word !== undefined) {
    out.wordPolicy = {
      ...(word.wordsConfig !== undefined && {
        words: word.wordsConfig.map((w) => ({ text: w.text, ...effective(w, 'BLOCK') })),
      }),
      ...(word.managedWordListsConfig !== undefined && {
        managedWordLists: word.managedWordListsConfig.map((m) => ({ type: m.type, ...effective(m, 'BLOCK') })),
      }),
    };
  }
  const sensitive = p.sensitiveInformationPolicyConfig;
  if (sensitive !== undefined) {
    out.sensitiveInformationPolicy = {
      ...(sensitive.piiEntitiesConfig !== undefined && {
        piiEntities: sensitive.piiEntitiesConfig.map((e) => ({
          type: e.type,
          action: e.action,
          ...effective(e, e.action),
        })),
      }),
      ...(sensitive.regexesConfig !== undefined && {
        regexes: sensitive.regexesConfig.map((r) => ({
          name: r.name,
          ...(r.description !== undefined && { description: r.description }),
          pattern: r.pattern,
          action: r.action,
          ...effective(r, r.action),
        })),
      }),
    };
  }
  const grounding = p.contextualGroundingPolicyConfig;
  if (grounding !== undefined) {
    out.contextualGroundingPolicy = {
      filters: grounding.filtersConfig.map((f) => ({
        type: f.type,
        threshold: f.threshold,
        action: f.action ?? 'BLOCK',
        enabled: f.enabled ?? true,
      })),
      ...(grounding.tierConfig !== undefined && { tier: { ...grounding.tierConfig } }),
    };
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Word-sequence matching (denied topics, word filters)
// ---------------------------------------------------------------------------------------------------------------

/**
 * The built-in PROFANITY managed word list (User Guide: word filters, "Profanity filter"). A deliberately small
 * set of common English profanities; AWS's managed list is larger and continually updated by AWS.
 */
export const PROFANITY_WORDS: readonly string[] = [
  'arse',
  'arsehole',
  'ass',
  'asshole',
  'bastard',
  'bitch',
  'bollocks',
  'bullshit',
  'cock',
  'crap',
  'cunt',
  'damn',
  'dick',
  'dickhead',
  'douchebag',
  'fuck',
  'fucked',
  'fucker',
  'fucking',
  'goddamn',
  'jackass',
  'motherfucker',
  'piss',
  'pissed',
  'prick',
  'shit',
  'shitty',
  'slut',
  'twat',
  'wanker',
  'whore',
];

/**
 * Words of a topic name too common to stand alone as its keyword (User Guide: "Block denied topics" — basalt's
 * keyword rule, see the module comment). "Investment_Advice" keeps "investment" and drops "advice".
 */
export const GENERIC_TOPIC_WORDS: ReadonlySet<string> = new Set([
  'about',
  'advice',
  'answer',
  'answers',
  'content',
  'discussion',
  'discussions',
  'general',
  'guidance',
  'help',
  'info',
  'information',
  'issue',
  'issues',
  'matter',
  'matters',
  'opinion',
  'opinions',
  'other',
  'product',
  'products',
  'question',
  'questions',
  'recommendation',
  'recommendations',
  'related',
  'request',
  'requests',
  'service',
  'services',
  'stuff',
  'subject',
  'talk',
  'things',
  'tips',
  'topic',
  'topics',
]);

interface Token {
  word: string;
  start: number;
  end: number;
}

/** Runs of letters and digits, lower-cased, with their place in the text. */
function tokenize(text: string): Token[] {
  const out: Token[] = [];
  for (const m of text.matchAll(/[\p{L}\p{N}]+/gu)) {
    const start = m.index ?? 0;
    out.push({ word: m[0].toLowerCase(), start, end: start + m[0].length });
  }
  return out;
}

function phraseWords(text: string): string[] {
  return tokenize(text).map((t) => t.word);
}

interface Phrase {
  words: readonly string[];
  id: number;
}

/** Phrases keyed by their first word, so a text is scanned once whatever the number of phrases (up to 10,000). */
type PhraseIndex = ReadonlyMap<string, readonly Phrase[]>;

function phraseIndex(phrases: readonly { words: readonly string[]; id: number }[]): PhraseIndex {
  const index = new Map<string, Phrase[]>();
  for (const phrase of phrases) {
    const first = phrase.words[0];
    if (first === undefined) continue;
    const bucket = index.get(first);
    if (bucket === undefined) index.set(first, [phrase]);
    else bucket.push(phrase);
  }
  return index;
}

interface PhraseMatch {
  id: number;
  start: number;
  end: number;
}

function matchPhrases(index: PhraseIndex, tokens: readonly Token[]): PhraseMatch[] {
  const out: PhraseMatch[] = [];
  for (const [i, token] of tokens.entries()) {
    for (const phrase of index.get(token.word) ?? []) {
      const last = tokens[i + phrase.words.length - 1];
      if (last === undefined) continue;
      if (phrase.words.every((w, k) => tokens[i + k]?.word === w))
        out.push({ id: phrase.id, start: token.start, end: last.end });
    }
  }
  return out;
}

// Indexes are rebuilt only when the policy object changes: a guardrail with 10,000 words is applied many times.
const indexCache = new WeakMap<object, PhraseIndex>();
function cachedIndex(key: object, build: () => PhraseIndex): PhraseIndex {
  let index = indexCache.get(key);
  if (index === undefined) {
    index = build();
    indexCache.set(key, index);
  }
  return index;
}

/** The phrases that make a denied topic match: its name, its examples, its distinctive name words. */
function topicPhrases(topic: GuardrailTopicConfig): string[][] {
  const name = phraseWords(topic.name);
  const keywords = name.filter((w) => w.length >= 4 && !GENERIC_TOPIC_WORDS.has(w)).map((w) => [w]);
  return [name, ...(topic.examples ?? []).map(phraseWords), ...keywords];
}

const PROFANITY_INDEX = phraseIndex(PROFANITY_WORDS.map((w, id) => ({ words: phraseWords(w), id })));

// ---------------------------------------------------------------------------------------------------------------
// PII detection by pattern
// ---------------------------------------------------------------------------------------------------------------

interface PiiDetector {
  type: GuardrailPiiEntityType;
  /** Global; anchored on both sides by look-arounds so that scanning stays linear. */
  pattern: RegExp;
  /** The part of a candidate kept (a prefix of it), or undefined to reject it (failed checksum, …). */
  accept?: (candidate: string) => string | undefined;
}

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = digits.length - 1, double = false; i >= 0; i--, double = !double) {
    let d = digits.charCodeAt(i) - 48;
    if (double) d = d > 4 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

function digitsOf(text: string): string {
  return text.replace(/\D/g, '');
}

/** ABA routing number: weights 3-7-1, and a first pair the Federal Reserve assigns (00–12, 21–32, 61–72, 80). */
function abaRouting(digits: string): boolean {
  if (/^0+$/.test(digits)) return false;
  const d = (i: number) => digits.charCodeAt(i) - 48;
  const sum = 3 * (d(0) + d(3) + d(6)) + 7 * (d(1) + d(4) + d(7)) + d(2) + d(5) + d(8);
  const prefix = Number(digits.slice(0, 2));
  const assigned = prefix <= 12 || (prefix >= 21 && prefix <= 32) || (prefix >= 61 && prefix <= 72) || prefix === 80;
  return sum % 10 === 0 && assigned;
}

/** IBAN: country, check digits, 11–30 more; valid when the rearranged number is 1 modulo 97 (ISO 13616). */
function iban(candidate: string): boolean {
  const compact = candidate.replace(/ /g, '');
  if (compact.length < 15 || compact.length > 34) return false;
  let rest = 0;
  for (const ch of compact.slice(4) + compact.slice(0, 4)) {
    const code = ch.charCodeAt(0);
    const value = code >= 65 ? code - 55 : code - 48;
    rest = (rest * (value >= 10 ? 100 : 10) + value) % 97;
  }
  return rest === 1;
}

const keepIf = (test: (candidate: string) => boolean) => (candidate: string) =>
  test(candidate) ? candidate : undefined;

const DETECTORS: readonly PiiDetector[] = [
  {
    type: 'EMAIL',
    pattern:
      /(?<![\w.%+-])[A-Za-z0-9][\w.%+-]*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}(?![\w-])/g,
  },
  // North American numbers: (555) 123-4567, 555-123-4567, 555.123.4567, +1 555 123 4567, 1-555-123-4567.
  { type: 'PHONE', pattern: /(?<![\w+])(?:\+?1[ .-]?)?(?:\(\d{3}\) ?|\d{3}[ .-])\d{3}[ .-]\d{4}(?!\w)/g },
  // International numbers written with their + country code: +44 20 7946 0958; E.164 allows at most 15 digits.
  {
    type: 'PHONE',
    pattern: /(?<![\w+])\+[1-9]\d{0,2}(?:[ .-]?(?:\(\d{1,4}\)|\d{1,4})){2,6}(?!\w)/g,
    accept: keepIf((c) => digitsOf(c).length >= 8 && digitsOf(c).length <= 15),
  },
  // AAA-GG-SSSS with one separator used twice; 000, 666 and 9xx areas, 00 groups and 0000 serials are never issued.
  {
    type: 'US_SOCIAL_SECURITY_NUMBER',
    pattern: /(?<![\w-])(?!000|666|9\d\d)\d{3}([ -])(?!00)\d{2}\1(?!0000)\d{4}(?![\w-])/g,
  },
  // 13–19 digits starting 2–6 (the card networks), optionally grouped by spaces or dashes, passing Luhn.
  {
    type: 'CREDIT_DEBIT_CARD_NUMBER',
    pattern: /(?<![\w-])[2-6](?:[ -]?\d){12,18}(?![\w-])/g,
    accept: keepIf((c) => luhn(digitsOf(c))),
  },
  { type: 'IP_ADDRESS', pattern: /(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?!\w|\.\d)/g, accept: keepIf((c) => isIPv4(c)) },
  {
    type: 'IP_ADDRESS',
    pattern: /(?<![\w:.])(?=[0-9A-Fa-f]*:[0-9A-Fa-f]*:)[0-9A-Fa-f:]{2,39}(?![\w:]|\.\w)/g,
    accept: keepIf((c) => isIPv6(c) && /[0-9A-Fa-f]/.test(c)),
  },
  // A scheme or www. is required: a bare "example.com" is too often not a web address.
  {
    type: 'URL',
    pattern: /(?<![\w@./-])(?:(?:https?|ftp):\/\/|www\.)[^\s<>"'`{}|\\^]+/gi,
    accept: (c) => {
      const trimmed = c.replace(/[.,;:!?)\]}*]+$/, '');
      return /^(?:(?:https?|ftp):\/\/|www\.)./i.test(trimmed) ? trimmed : undefined;
    },
  },
  {
    type: 'MAC_ADDRESS',
    pattern: /(?<![\w:-])[0-9A-Fa-f]{2}([:-])(?:[0-9A-Fa-f]{2}\1){4}[0-9A-Fa-f]{2}(?![\w:-])/g,
  },
  { type: 'MAC_ADDRESS', pattern: /(?<![\w.])[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}(?!\w|\.\w)/g },
  // Access key IDs: a four-letter resource prefix (AKIA long-term, ASIA temporary, …) and 16 more characters.
  {
    type: 'AWS_ACCESS_KEY',
    pattern:
      /(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|APKA|AROA|ASCA)[A-Z0-9]{16}(?![A-Za-z0-9])/g,
  },
  // Secret keys are 40 base64 characters; requiring upper case, lower case and a digit spares hex digests.
  {
    type: 'AWS_SECRET_KEY',
    pattern: /(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g,
    accept: keepIf((c) => /[A-Z]/.test(c) && /[a-z]/.test(c) && /\d/.test(c)),
  },
  { type: 'US_BANK_ROUTING_NUMBER', pattern: /(?<![\w-])\d{9}(?![\w-])/g, accept: keepIf(abaRouting) },
  // The User Guide's ITIN: nine digits, a leading 9, a 7 or 8 fourth, optionally 3-2-4 with a space or dash.
  { type: 'US_INDIVIDUAL_TAX_IDENTIFICATION_NUMBER', pattern: /(?<![\w-])9\d{2}([ -]?)[78]\d\1\d{4}(?![\w-])/g },
  {
    type: 'INTERNATIONAL_BANK_ACCOUNT_NUMBER',
    pattern: /(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?![A-Za-z0-9])/g,
    accept: keepIf(iban),
  },
  // Three groups of three digits with a space or dash (the User Guide's 123-456-789), passing Luhn.
  {
    type: 'CA_SOCIAL_INSURANCE_NUMBER',
    pattern: /(?<![\w-])\d{3}([ -])\d{3}\1\d{3}(?![\w-])/g,
    accept: keepIf((c) => luhn(digitsOf(c))),
  },
  // Two prefix letters (D, F, I, Q, U, V never; O never second; BG, GB, KN, NK, NT, TN, ZZ unused), six digits, A–D.
  {
    type: 'UK_NATIONAL_INSURANCE_NUMBER',
    pattern: /(?<![A-Za-z0-9])[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z](?:[ -]?\d{2}){3}[ -]?[A-D](?![A-Za-z0-9])/g,
    accept: keepIf((c) => !/^(?:BG|GB|KN|NK|NT|TN|ZZ)/.test(c)),
  },
];

/** The PII types basalt detects by pattern (User Guide: sensitive information filters); others are not detected. */
export const LOCALLY_DETECTED_PII_TYPES: readonly GuardrailPiiEntityType[] = [...new Set(DETECTORS.map((d) => d.type))];

/** The PII types accepted in configuration but never detected: they need context or a model. */
export const UNDETECTED_PII_TYPES: readonly GuardrailPiiEntityType[] = PII_ENTITY_TYPES.filter(
  (t) => !LOCALLY_DETECTED_PII_TYPES.includes(t),
);

/** One configuration member basalt accepts but does not enforce as AWS does (User Guide: "Create your guardrail"). */
export interface NotEnforced {
  /** The request member, as in CreateGuardrail. */
  config: string;
  /** `ignored`: accepted, stored, described, never assessed. `approximated`: enforced by a simpler local rule. */
  kind: 'ignored' | 'approximated';
  reason: string;
}

/** What CreateGuardrail accepts that ApplyGuardrail does not enforce as AWS does, for docs and responses. */
export const NOT_ENFORCED: readonly NotEnforced[] = [
  {
    config: 'contentPolicyConfig',
    kind: 'ignored',
    reason:
      'Content filters (SEXUAL, VIOLENCE, HATE, INSULTS, MISCONDUCT, PROMPT_ATTACK), their strengths, modalities ' +
      'and tierConfig need AWS classifiers; they produce no assessment entries (their units are still counted).',
  },
  {
    config: 'contextualGroundingPolicyConfig',
    kind: 'ignored',
    reason:
      'Grounding and relevance scores need a model and grounding_source/query qualified content; no assessment ' +
      'entries and no contextualGroundingPolicyUnits.',
  },
  {
    config: 'sensitiveInformationPolicyConfig.piiEntitiesConfig',
    kind: 'ignored',
    reason: `PII types detected only by a context-aware model are never detected: ${UNDETECTED_PII_TYPES.join(', ')}.`,
  },
  {
    config: 'sensitiveInformationPolicyConfig.piiEntitiesConfig',
    kind: 'approximated',
    reason:
      `${LOCALLY_DETECTED_PII_TYPES.join(', ')} are found by pattern and checksum only, not by context, so ` +
      'numbers that only context identifies are missed.',
  },
  {
    config: 'topicPolicyConfig',
    kind: 'approximated',
    reason:
      'Denied topics match by keywords (the name, the examples, distinctive name words), not by a classifier; the ' +
      'definition and tierConfig have no effect.',
  },
  {
    config: 'wordPolicyConfig.managedWordListsConfig',
    kind: 'approximated',
    reason: `PROFANITY is a built-in list of ${PROFANITY_WORDS.length} English words; AWS's list is larger.`,
  },
  {
    config: 'sensitiveInformationPolicyConfig.regexesConfig',
    kind: 'approximated',
    reason:
      `Patterns run as JavaScript RegExp over the first ${GUARDRAIL_LIMITS.regexScanCharacters} characters of each ` +
      `text, with ${GUARDRAIL_LIMITS.regexTimeBudgetMs} ms per pattern and text.`,
  },
];

interface Span {
  start: number;
  end: number;
}

/** Every detection of one type in one text; a span inside another of the same type (US and + phone forms) is one. */
function detect(type: GuardrailPiiEntityType, text: string): Span[] {
  const spans: Span[] = [];
  for (const detector of DETECTORS) {
    if (detector.type !== type) continue;
    for (const m of text.matchAll(detector.pattern)) {
      const kept = detector.accept === undefined ? m[0] : detector.accept(m[0]);
      if (kept === undefined || kept.length === 0) continue;
      const start = m.index ?? 0;
      spans.push({ start, end: start + kept.length });
    }
  }
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  const out: Span[] = [];
  for (const s of spans) {
    const previous = out[out.length - 1];
    if (previous !== undefined && s.start >= previous.start && s.end <= previous.end) continue;
    out.push(s);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// User regular expressions under a time budget
// ---------------------------------------------------------------------------------------------------------------

// Runs inside a node:vm context only so that the vm timeout can interrupt a backtracking RegExp; the pattern and
// text arrive as data, and the result leaves as a string so no object crosses realms.
const REGEX_SCRIPT = `(() => {
  const re = new RegExp(source, flags);
  const found = [];
  for (let m = re.exec(text); m !== null && found.length < limit; m = re.exec(text)) {
    if (m[0].length === 0) { re.lastIndex += 1; continue; }
    found.push(m.index + ':' + m[0].length);
  }
  return found.join(',');
})()`;

let regexSandbox: { context: vm.Context; script: vm.Script } | undefined;

function isTimeout(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && err.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT';
}

function regexSpans(filter: GuardrailRegexConfig, text: string): Span[] {
  const { source, flags } = userRegExp(filter.pattern);
  const scanned = text.slice(0, GUARDRAIL_LIMITS.regexScanCharacters);
  regexSandbox ??= { context: vm.createContext({}), script: new vm.Script(REGEX_SCRIPT) };
  Object.assign(regexSandbox.context, { source, flags, text: scanned, limit: GUARDRAIL_LIMITS.regexMatchesPerText });
  let result: unknown;
  try {
    result = regexSandbox.script.runInContext(regexSandbox.context, { timeout: GUARDRAIL_LIMITS.regexTimeBudgetMs });
  } catch (err) {
    if (!isTimeout(err)) throw err;
    throw new WireError(
      'ValidationException',
      `The regex filter '${filter.name}' did not finish within ${GUARDRAIL_LIMITS.regexTimeBudgetMs} ms on ` +
        `${scanned.length} characters; basalt stops patterns that backtrack catastrophically. Simplify the pattern.`,
    );
  } finally {
    Object.assign(regexSandbox.context, { text: '' });
  }
  if (typeof result !== 'string' || result === '') return [];
  return result.split(',').map((pair) => {
    const [index, length] = pair.split(':').map(Number);
    return { start: index ?? 0, end: (index ?? 0) + (length ?? 0) };
  });
}

// ---------------------------------------------------------------------------------------------------------------
// ApplyGuardrail
// ---------------------------------------------------------------------------------------------------------------

/** GuardrailTopic of an assessment (API Reference: runtime GuardrailTopic). */
export interface GuardrailTopicAssessment {
  name: string;
  type: 'DENY';
  action: 'BLOCKED' | 'NONE';
  detected: boolean;
}

/** GuardrailCustomWord (API Reference, runtime). */
export interface GuardrailCustomWordAssessment {
  match: string;
  action: 'BLOCKED' | 'NONE';
  detected: boolean;
}

/** GuardrailManagedWord (API Reference, runtime). */
export interface GuardrailManagedWordAssessment {
  match: string;
  type: 'PROFANITY';
  action: 'BLOCKED' | 'NONE';
  detected: boolean;
}

/** GuardrailSensitiveInformationPolicyAction (API Reference, runtime). */
export type GuardrailSensitiveInformationPolicyAction = 'BLOCKED' | 'ANONYMIZED' | 'NONE';

/** GuardrailPiiEntityFilter (API Reference, runtime). */
export interface GuardrailPiiEntityAssessment {
  match: string;
  type: GuardrailPiiEntityType;
  action: GuardrailSensitiveInformationPolicyAction;
  detected: boolean;
}

/** GuardrailRegexFilter (API Reference, runtime). */
export interface GuardrailRegexAssessment {
  name: string;
  match: string;
  regex: string;
  action: GuardrailSensitiveInformationPolicyAction;
  detected: boolean;
}

/** GuardrailUsage (API Reference, runtime): text units (up to 1000 characters each) per policy. */
export interface GuardrailUsage {
  topicPolicyUnits: number;
  contentPolicyUnits: number;
  wordPolicyUnits: number;
  sensitiveInformationPolicyUnits: number;
  sensitiveInformationPolicyFreeUnits: number;
  contextualGroundingPolicyUnits: number;
}

/** GuardrailCoverage (API Reference, runtime): text characters guarded out of the total. */
export interface GuardrailCoverage {
  textCharacters: { guarded: number; total: number };
}

/** GuardrailAssessment (API Reference, runtime): the policies that found something, and invocationMetrics. */
export interface GuardrailAssessment {
  topicPolicy?: { topics: GuardrailTopicAssessment[] };
  wordPolicy?: { customWords: GuardrailCustomWordAssessment[]; managedWordLists: GuardrailManagedWordAssessment[] };
  sensitiveInformationPolicy?: { piiEntities: GuardrailPiiEntityAssessment[]; regexes: GuardrailRegexAssessment[] };
  invocationMetrics: {
    guardrailProcessingLatency: number;
    usage: GuardrailUsage;
    guardrailCoverage: GuardrailCoverage;
  };
}

/** The ApplyGuardrail response body (API Reference: ApplyGuardrail, "Response Syntax"). */
export interface ApplyGuardrailResult {
  action: 'NONE' | 'GUARDRAIL_INTERVENED';
  /** The blocked message when anything blocked; else the masked texts when anything was masked; else empty. */
  outputs: { text: string }[];
  assessments: GuardrailAssessment[];
  usage: GuardrailUsage;
  guardrailCoverage: GuardrailCoverage;
}

const BLOCK_TO_ASSESSED = { BLOCK: 'BLOCKED', NONE: 'NONE' } as const;
const SENSITIVE_TO_ASSESSED = { BLOCK: 'BLOCKED', ANONYMIZE: 'ANONYMIZED', NONE: 'NONE' } as const;

interface Mask extends Span {
  placeholder: string;
}

/** Masks left to right; where masks overlap, the one starting first (then the longer) wins. */
function applyMasks(text: string, masks: readonly Mask[]): string {
  const ordered = [...masks].sort((a, b) => a.start - b.start || b.end - a.end);
  let out = '';
  let at = 0;
  for (const mask of ordered) {
    if (mask.start < at) continue;
    out += text.slice(at, mask.start) + mask.placeholder;
    at = mask.end;
  }
  return out + text.slice(at);
}

/**
 * Applies a guardrail to texts as ApplyGuardrail does (API Reference: ApplyGuardrail; User Guide: "Use the
 * ApplyGuardrail API in your application"), running the filters that work locally: denied topics by keywords, word
 * filters, pattern-detectable PII and regex filters (see the module comment for how each differs from AWS).
 *
 * Each entry's `inputAction`/`outputAction` and `inputEnabled`/`outputEnabled` apply by `source`: a disabled entry is
 * not evaluated; an entry whose action is NONE is reported (`action: 'NONE'`, `detected: true`) without
 * intervening. When anything is BLOCKED the action is GUARDRAIL_INTERVENED and `outputs` is the blocked message for
 * the source; when only masking happened, `outputs` holds each text with `{TYPE}` (PII) or `{name}` (regex) in place
 * of each match; otherwise the action is NONE and `outputs` is empty. `usage` counts the text units of every policy
 * with an enabled entry for the source (content filters too, as AWS bills them; contextual grounding never, since
 * AWS evaluates it only on grounding_source/query qualified content, which plain texts are not).
 */
export function applyGuardrail(
  p: GuardrailPolicies & GuardrailMessaging,
  source: GuardrailContentSource,
  texts: readonly string[],
): ApplyGuardrailResult {
  const started = performance.now();
  const input = source === 'INPUT';
  const on = (d: GuardrailDirectional<string>) => (input ? d.inputEnabled : d.outputEnabled) !== false;
  const actionOf = <A extends string>(d: GuardrailDirectional<A>, fallback: A): A =>
    (input ? d.inputAction : d.outputAction) ?? fallback;
  const tokens = texts.map(tokenize);

  // Denied topics.
  const topicsConfig = p.topicPolicyConfig?.topicsConfig ?? [];
  const topics = topicsConfig.filter(on);
  const topicFindings: GuardrailTopicAssessment[] = [];
  if (topics.length > 0) {
    const index = cachedIndex(topicsConfig, () =>
      phraseIndex(topicsConfig.flatMap((t, id) => topicPhrases(t).map((words) => ({ words, id })))),
    );
    const matched = new Set(tokens.flatMap((t) => matchPhrases(index, t).map((m) => m.id)));
    for (const [id, topic] of topicsConfig.entries()) {
      if (!matched.has(id) || !on(topic)) continue;
      topicFindings.push({
        name: topic.name,
        type: 'DENY',
        action: BLOCK_TO_ASSESSED[actionOf(topic, 'BLOCK')],
        detected: true,
      });
    }
  }

  // Word filters.
  const wordsConfig = p.wordPolicyConfig?.wordsConfig ?? [];
  const words = wordsConfig.filter(on);
  const managed = (p.wordPolicyConfig?.managedWordListsConfig ?? []).filter(on);
  const customWords: GuardrailCustomWordAssessment[] = [];
  const managedWordLists: GuardrailManagedWordAssessment[] = [];
  const seenWords = new Set<string>();
  if (words.length > 0) {
    const index = cachedIndex(wordsConfig, () =>
      phraseIndex(wordsConfig.map((w, id) => ({ words: phraseWords(w.text), id }))),
    );
    for (const [i, text] of texts.entries()) {
      for (const m of matchPhrases(index, tokens[i] ?? [])) {
        const word = wordsConfig[m.id];
        if (word === undefined || !on(word)) continue;
        const match = text.slice(m.start, m.end);
        const action = BLOCK_TO_ASSESSED[actionOf(word, 'BLOCK')];
        const key = `custom ${action} ${match.toLowerCase()}`;
        if (seenWords.has(key)) continue;
        seenWords.add(key);
        customWords.push({ match, action, detected: true });
      }
    }
  }
  for (const list of managed) {
    const action = BLOCK_TO_ASSESSED[actionOf(list, 'BLOCK')];
    for (const [i, text] of texts.entries()) {
      for (const m of matchPhrases(PROFANITY_INDEX, tokens[i] ?? [])) {
        const match = text.slice(m.start, m.end);
        const key = `managed ${action} ${match.toLowerCase()}`;
        if (seenWords.has(key)) continue;
        seenWords.add(key);
        managedWordLists.push({ match, type: list.type, action, detected: true });
      }
    }
  }

  // Sensitive information: PII by pattern, then regex filters.
  const piiConfigs = (p.sensitiveInformationPolicyConfig?.piiEntitiesConfig ?? []).filter(on);
  const regexConfigs = (p.sensitiveInformationPolicyConfig?.regexesConfig ?? []).filter(on);
  const piiEntities: GuardrailPiiEntityAssessment[] = [];
  const regexes: GuardrailRegexAssessment[] = [];
  const masks: Mask[][] = texts.map(() => []);
  for (const [i, text] of texts.entries()) {
    for (const entity of piiConfigs) {
      if (!LOCALLY_DETECTED_PII_TYPES.includes(entity.type)) continue;
      const action = actionOf(entity, entity.action);
      for (const span of detect(entity.type, text)) {
        piiEntities.push({
          match: text.slice(span.start, span.end),
          type: entity.type,
          action: SENSITIVE_TO_ASSESSED[action],
          detected: true,
        });
        if (action === 'ANONYMIZE') masks[i]?.push({ ...span, placeholder: `{${entity.type}}` });
      }
    }
    for (const filter of regexConfigs) {
      const action = actionOf(filter, filter.action);
      for (const span of regexSpans(filter, text)) {
        regexes.push({
          name: filter.name,
          match: text.slice(span.start, span.end),
          regex: filter.pattern,
          action: SENSITIVE_TO_ASSESSED[action],
          detected: true,
        });
        if (action === 'ANONYMIZE') masks[i]?.push({ ...span, placeholder: `{${filter.name}}` });
      }
    }
  }

  // Usage: every policy with an enabled entry for this source, per text unit.
  const characters = texts.reduce((n, t) => n + codePoints(t), 0);
  const units = texts.reduce((n, t) => n + Math.ceil(codePoints(t) / GUARDRAIL_LIMITS.textUnitCharacters), 0);
  const contentOn = (p.contentPolicyConfig?.filtersConfig ?? []).some(
    (f) => on(f) && (input ? f.inputStrength : f.outputStrength) !== 'NONE',
  );
  const usage: GuardrailUsage = {
    topicPolicyUnits: topics.length > 0 ? units : 0,
    contentPolicyUnits: contentOn ? units : 0,
    wordPolicyUnits: words.length > 0 || managed.length > 0 ? units : 0,
    sensitiveInformationPolicyUnits: piiConfigs.length > 0 ? units : 0,
    // Regex filters are the free part of sensitive information filters (Amazon Bedrock pricing).
    sensitiveInformationPolicyFreeUnits: regexConfigs.length > 0 ? units : 0,
    contextualGroundingPolicyUnits: 0,
  };
  const guarded = Object.values(usage).some((n) => n > 0) ? characters : 0;
  const guardrailCoverage: GuardrailCoverage = { textCharacters: { guarded, total: characters } };

  const findings = [...topicFindings, ...customWords, ...managedWordLists, ...piiEntities, ...regexes];
  const blocked = findings.some((f) => f.action === 'BLOCKED');
  const masked = findings.some((f) => f.action === 'ANONYMIZED');
  const assessment: GuardrailAssessment = {
    ...(topicFindings.length > 0 && { topicPolicy: { topics: topicFindings } }),
    ...((customWords.length > 0 || managedWordLists.length > 0) && { wordPolicy: { customWords, managedWordLists } }),
    ...((piiEntities.length > 0 || regexes.length > 0) && { sensitiveInformationPolicy: { piiEntities, regexes } }),
    invocationMetrics: {
      guardrailProcessingLatency: Math.round(performance.now() - started),
      usage: { ...usage },
      guardrailCoverage: { textCharacters: { ...guardrailCoverage.textCharacters } },
    },
  };
  let outputs: { text: string }[] = [];
  if (blocked) outputs = [{ text: input ? p.blockedInputMessaging : p.blockedOutputsMessaging }];
  else if (masked) outputs = texts.map((text, i) => ({ text: applyMasks(text, masks[i] ?? []) }));
  return {
    action: blocked || masked ? 'GUARDRAIL_INTERVENED' : 'NONE',
    outputs,
    assessments: [assessment],
    usage,
    guardrailCoverage,
  };
}

/**
 * True when an ApplyGuardrail result blocked (rather than only masked): a model call whose input
 * was only masked still runs, on the masked input.
 */
export function isBlocked(result: ApplyGuardrailResult): boolean {
  return result.assessments.some(
    (a) =>
      (a.topicPolicy?.topics ?? []).some((t) => t.action === 'BLOCKED') ||
      (a.wordPolicy?.customWords ?? []).some((w) => w.action === 'BLOCKED') ||
      (a.wordPolicy?.managedWordLists ?? []).some((w) => w.action === 'BLOCKED') ||
      (a.sensitiveInformationPolicy?.piiEntities ?? []).some((e) => e.action === 'BLOCKED') ||
      (a.sensitiveInformationPolicy?.regexes ?? []).some((r) => r.action === 'BLOCKED'),
  );
}
