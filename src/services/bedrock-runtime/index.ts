/**
 * The Bedrock Runtime operations (restJson1, signing name `bedrock`).
 */

import type { AnyRestOperation } from '../rest-operation.js';
import { APPLY_GUARDRAIL_OPERATIONS } from './apply-guardrail.js';
import { CONVERSE_OPERATIONS } from './converse.js';
import { COUNT_TOKENS_OPERATIONS } from './count-tokens.js';
import { INVOKE_OPERATIONS } from './invoke.js';

/** Every Bedrock Runtime operation. */
export const BEDROCK_RUNTIME_OPERATIONS: readonly AnyRestOperation[] = [
  ...INVOKE_OPERATIONS,
  ...CONVERSE_OPERATIONS,
  ...COUNT_TOKENS_OPERATIONS,
  ...APPLY_GUARDRAIL_OPERATIONS,
];
