/**
 * A guardrail named in a runtime call (InvokeModel headers, Converse `guardrailConfig`): its
 * condition key, the ApplyGuardrail permission it needs, and screening input and output with it.
 * "Enforce the use of specific guardrails in model inference requests" (Amazon Bedrock User Guide):
 * `bedrock:GuardrailIdentifier` is the guardrail's ARN with `:VERSION` for a numbered version, and
 * the caller also needs `bedrock:ApplyGuardrail` on the guardrail's ARN.
 */

import type { ContextValue } from '../../policy/index.js';
import { WireError } from '../../protocols/wire-error.js';
import type { Guardrail, GuardrailConfig } from '../../store/types.js';
import { bedrockArn, findResource, parseBedrockArn } from '../bedrock/common.js';
import { applyGuardrail, type GuardrailPolicies } from '../bedrock/guardrail-engine.js';
import { guardrailTargetFor } from '../bedrock/guardrails.js';
import type { AuthTarget, CallContext } from '../operation.js';

/** The guardrail and version a call asks for. */
export interface GuardrailRef {
  identifier: string;
  version: string;
}

const IDENTIFIER = /^(([a-z0-9]+)|(arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:guardrail\/[a-z0-9]+))$/;
const VERSION = /^(([1-9][0-9]{0,7})|(DRAFT))$/;

/**
 * Reads a guardrail reference; both parts or neither. ValidationException for a malformed one, in
 * Bedrock's words where known.
 */
export function guardrailRef(identifier: string | undefined, version: string | undefined): GuardrailRef | undefined {
  if ((identifier ?? '') === '' && (version ?? '') === '') return undefined;
  if ((identifier ?? '') === '' || (version ?? '') === '') {
    throw new WireError(
      'ValidationException',
      'Guardrail identifier and guardrail version must be specified together.',
    );
  }
  const ref = { identifier: identifier ?? '', version: version ?? '' };
  if (!IDENTIFIER.test(ref.identifier)) {
    throw new WireError('ValidationException', `The guardrail identifier ${ref.identifier} is invalid.`);
  }
  if (!VERSION.test(ref.version))
    throw new WireError('ValidationException', `The guardrail version ${ref.version} is invalid.`);
  return ref;
}

/** The guardrail's ARN (without a version) as the caller's account and region see it. */
export function guardrailArnOf(ctx: CallContext, identifier: string): string {
  return identifier.startsWith('arn:')
    ? identifier
    : bedrockArn(ctx.env.region, ctx.caller.accountId, 'guardrail', identifier);
}

/** `bedrock:GuardrailIdentifier` of a call: the ARN, with `:VERSION` unless the draft is used. */
export function guardrailValues(ctx: CallContext, ref: GuardrailRef | undefined): Record<string, ContextValue> {
  if (ref === undefined) return {};
  const arn = guardrailArnOf(ctx, ref.identifier);
  return { 'bedrock:GuardrailIdentifier': ref.version === 'DRAFT' ? arn : `${arn}:${ref.version}` };
}

/**
 * The guardrail a call names, read once: authorization (its tags) and screening (its versions) both
 * use this read. Undefined when it does not exist in the caller's account and region.
 */
export async function findGuardrail(ctx: CallContext, ref: GuardrailRef): Promise<Guardrail | undefined> {
  return (await findResource(ctx.deps.store, 'guardrail', ctx, ref.identifier))?.body;
}

/** The extra target a guarded call must be allowed: bedrock:ApplyGuardrail on the guardrail. */
export function applyGuardrailTarget(ctx: CallContext, ref: GuardrailRef, found: Guardrail | undefined): AuthTarget {
  return { ...guardrailTargetFor(ctx, ref.identifier, found), action: 'bedrock:ApplyGuardrail' };
}

/** A guardrail version ready to screen text. */
export interface LoadedGuardrail {
  id: string;
  version: string;
  config: GuardrailConfig;
}

/** The referenced version; ValidationException when the guardrail or the version does not exist. */
export function guardrailVersion(found: Guardrail | undefined, ref: GuardrailRef): LoadedGuardrail {
  const config = found === undefined ? undefined : ref.version === 'DRAFT' ? found.draft : found.versions[ref.version];
  if (found === undefined || config === undefined) {
    throw new WireError(
      'ValidationException',
      'The guardrail identifier or version provided in the request does not exist.',
    );
  }
  return { id: found.id, version: ref.version, config };
}

/** What screening found. */
export type Screening = ReturnType<typeof applyGuardrail>;

/** Screens texts as INPUT or OUTPUT with a loaded guardrail. */
export function screen(g: LoadedGuardrail, source: 'INPUT' | 'OUTPUT', texts: string[]): Screening {
  return applyGuardrail(
    {
      ...(g.config.policies as GuardrailPolicies),
      blockedInputMessaging: g.config.blockedInputMessaging,
      blockedOutputsMessaging: g.config.blockedOutputsMessaging,
    },
    source,
    texts,
  );
}

/** The guardrail ID of a guardrail ARN or ID (for traces). */
export function guardrailIdOf(identifier: string): string {
  return identifier.startsWith('arn:') ? (parseBedrockArn(identifier)?.id ?? identifier) : identifier;
}
