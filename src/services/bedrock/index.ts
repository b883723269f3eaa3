/**
 * The Bedrock control-plane operations (restJson1, signing name `bedrock`).
 */

import type { AnyRestOperation } from '../rest-operation.js';
import { GUARDRAIL_OPERATIONS } from './guardrails.js';
import { INFERENCE_PROFILE_OPERATIONS } from './inference-profiles.js';
import { MODEL_OPERATIONS } from './models.js';
import { PROVISIONED_OPERATIONS } from './provisioned.js';
import { TAGGING_OPERATIONS } from './tagging.js';

/** Every Bedrock control-plane operation. */
export const BEDROCK_OPERATIONS: readonly AnyRestOperation[] = [
  ...MODEL_OPERATIONS,
  ...INFERENCE_PROFILE_OPERATIONS,
  ...GUARDRAIL_OPERATIONS,
  ...PROVISIONED_OPERATIONS,
  ...TAGGING_OPERATIONS,
];
