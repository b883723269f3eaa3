/**
 * Gives an older `aws` command line the Bedrock commands. Debian 12's awscli (2.9) predates Amazon
 * Bedrock, and CI may have only that one; the Bedrock compatibility tests need `aws bedrock` and
 * `aws bedrock-runtime`. The AWS SDK for JavaScript v2 (npm `aws-sdk`) ships the same API models
 * in a compact form; this converts one to the botocore form (`service-2.json`) that
 * `aws configure add-model` installs: every inline shape is hoisted to a named one, a shape without
 * a type is a string, and an operation without a method is a POST.
 *
 * Usage: node --import tsx scripts/aws-cli-models.ts IN.min.json OUT.service-2.json
 */

import { readFileSync, writeFileSync } from 'node:fs';

type Json = Record<string, unknown>;

/** Keys that belong to a member (its place in the request), not to the shape it refers to. */
const MEMBER_KEYS = new Set([
  'location',
  'locationName',
  'idempotencyToken',
  'jsonvalue',
  'hostLabel',
  'queryName',
  'eventpayload',
  'eventheader',
  'flattened',
  'xmlNamespace',
  'xmlAttribute',
  'contextParam',
]);

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Converts the compact model `min` to botocore's form. */
export function toBotocore(min: Json): Json {
  const shapes: Json = {};
  let counter = 0;
  /** A member (or list member, map key or value): a reference, with its member keys kept. */
  const member = (node: Json, hint: string): Json => {
    const out: Json = {};
    const def: Json = {};
    for (const [k, v] of Object.entries(node)) (MEMBER_KEYS.has(k) || k === 'shape' ? out : def)[k] = v;
    if (typeof out.shape === 'string') return out;
    out.shape = define(def, hint);
    return out;
  };
  /** Defines an inline shape under a new name and returns the name. */
  const define = (def: Json, hint: string): string => {
    const name = `${hint}${counter++}`;
    shapes[name] = shape(def, name);
    return name;
  };
  const shape = (def: Json, name: string): Json => {
    const out: Json = { ...def, type: def.type ?? 'string' };
    if (isObject(def.members)) {
      const members: Json = {};
      for (const [m, node] of Object.entries(def.members))
        members[m] = member(isObject(node) ? node : {}, `${name}_${m}_`);
      out.members = members;
    }
    for (const k of ['member', 'key', 'value']) {
      const node = def[k];
      if (isObject(node)) out[k] = member(node, `${name}_${k}_`);
    }
    return out;
  };
  for (const [name, def] of Object.entries(min.shapes as Json)) shapes[name] = shape(isObject(def) ? def : {}, name);
  const operations: Json = {};
  for (const [name, raw] of Object.entries(min.operations as Json)) {
    if (!isObject(raw)) continue;
    const op: Json = { name, ...raw, http: { method: 'POST', ...(isObject(raw.http) ? raw.http : {}) } };
    for (const [k, suffix] of [
      ['input', 'Request'],
      ['output', 'Response'],
    ] as const) {
      const node = raw[k];
      if (!isObject(node)) continue;
      if (typeof node.shape === 'string') op[k] = { shape: node.shape };
      else {
        shapes[`${name}${suffix}`] = shape(node, `${name}${suffix}`);
        op[k] = { shape: `${name}${suffix}` };
      }
    }
    if (Array.isArray(raw.errors)) op.errors = raw.errors.map((e) => (isObject(e) ? member(e, `${name}Error`) : e));
    operations[name] = op;
  }
  return { version: '2.0', metadata: min.metadata, operations, shapes };
}

/**
 * Operations newer than the last aws-sdk v2 models, in botocore's form, from the Amazon Bedrock API
 * Reference (CreateInferenceProfile, DeleteInferenceProfile), added to the control plane's model.
 */
const NEWER: Record<string, { operations: Json; shapes: Json }> = {
  'bedrock-2023-04-20': {
    operations: {
      CreateInferenceProfile: {
        name: 'CreateInferenceProfile',
        http: { method: 'POST', requestUri: '/inference-profiles', responseCode: 201 },
        input: { shape: 'CreateInferenceProfileRequest' },
        output: { shape: 'CreateInferenceProfileResponse' },
      },
      DeleteInferenceProfile: {
        name: 'DeleteInferenceProfile',
        http: { method: 'DELETE', requestUri: '/inference-profiles/{inferenceProfileIdentifier}', responseCode: 200 },
        input: { shape: 'DeleteInferenceProfileRequest' },
        output: { shape: 'DeleteInferenceProfileResponse' },
      },
    },
    shapes: {
      CreateInferenceProfileRequest: {
        type: 'structure',
        required: ['inferenceProfileName', 'modelSource'],
        members: {
          inferenceProfileName: { shape: 'NewerString' },
          description: { shape: 'NewerString' },
          clientRequestToken: { shape: 'NewerString', idempotencyToken: true },
          modelSource: { shape: 'NewerModelSource' },
          tags: { shape: 'NewerTagList' },
        },
      },
      CreateInferenceProfileResponse: {
        type: 'structure',
        members: { inferenceProfileArn: { shape: 'NewerString' }, status: { shape: 'NewerString' } },
      },
      DeleteInferenceProfileRequest: {
        type: 'structure',
        required: ['inferenceProfileIdentifier'],
        members: {
          inferenceProfileIdentifier: {
            shape: 'NewerString',
            location: 'uri',
            locationName: 'inferenceProfileIdentifier',
          },
        },
      },
      DeleteInferenceProfileResponse: { type: 'structure', members: {} },
      NewerModelSource: { type: 'structure', members: { copyFrom: { shape: 'NewerString' } }, union: true },
      NewerTagList: { type: 'list', member: { shape: 'NewerTag' } },
      NewerTag: {
        type: 'structure',
        required: ['key', 'value'],
        members: { key: { shape: 'NewerString' }, value: { shape: 'NewerString' } },
      },
      NewerString: { type: 'string' },
    },
  },
};

/** The botocore model with the newer operations of its service added. */
export function withNewer(model: Json): Json {
  const uid = String((model.metadata as Json | undefined)?.uid ?? '');
  const newer = NEWER[uid];
  if (newer === undefined) return model;
  return {
    ...model,
    operations: { ...newer.operations, ...(model.operations as Json) },
    shapes: { ...newer.shapes, ...(model.shapes as Json) },
  };
}

const [input, output] = process.argv.slice(2);
if (input !== undefined && output !== undefined) {
  writeFileSync(output, JSON.stringify(withNewer(toBotocore(JSON.parse(readFileSync(input, 'utf8')) as Json))));
}
