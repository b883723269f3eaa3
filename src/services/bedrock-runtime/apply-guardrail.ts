/**
 * ApplyGuardrail (Amazon Bedrock API Reference): screens text with a guardrail version without
 * invoking a model. Authorized as bedrock:ApplyGuardrail on the guardrail's ARN.
 */

import { WireError } from '../../protocols/wire-error.js';
import type { Guardrail } from '../../store/types.js';
import { guardrailTargetFor } from '../bedrock/guardrails.js';
import { JsonParams } from '../json-params.js';
import { jsonBody, restOperation } from '../rest-operation.js';
import { findGuardrail, type GuardrailRef, guardrailRef, guardrailVersion, screen } from './guardrail-use.js';

/** The texts of ApplyGuardrail's `content` ("GuardrailContentBlock": `{text: {text, qualifiers}}`). */
function contentTexts(content: unknown): string[] {
  if (!Array.isArray(content) || content.length === 0) {
    throw new WireError(
      'ValidationException',
      "Value null at 'content' failed to satisfy constraint: Member must not be null",
    );
  }
  return content.map((block, i) => {
    const text = (block as { text?: { text?: unknown } } | null)?.text?.text;
    if (typeof text !== 'string') {
      throw new WireError(
        'ValidationException',
        `Value null at 'content.${i + 1}.member.text.text' failed to satisfy constraint: Member must not be null`,
      );
    }
    return text;
  });
}

/** ApplyGuardrail's input; `found` is the guardrail as `targets` read it, for `run`. */
interface ApplyInput {
  ref: GuardrailRef;
  source: 'INPUT' | 'OUTPUT';
  texts: string[];
  found?: Guardrail;
}

const applyGuardrailOp = restOperation<ApplyInput>({
  name: 'ApplyGuardrail',
  action: 'bedrock:ApplyGuardrail',
  method: 'POST',
  path: '/guardrail/{guardrailIdentifier}/version/{guardrailVersion}/apply',
  parse(req) {
    const body = jsonBody(req);
    const p = new JsonParams(body);
    const source = p.oneOf('source', ['INPUT', 'OUTPUT'] as const, true);
    p.oneOf('outputScope', ['INTERVENTIONS', 'FULL'] as const);
    p.done();
    const ref = guardrailRef(req.pathParams.guardrailIdentifier, req.pathParams.guardrailVersion);
    if (ref === undefined)
      throw new WireError('ValidationException', 'The guardrail identifier and version are required.');
    return { ref, source: source ?? 'INPUT', texts: contentTexts((body as Record<string, unknown>).content) };
  },
  async targets(i, ctx) {
    i.found = await findGuardrail(ctx, i.ref);
    return [guardrailTargetFor(ctx, i.ref.identifier, i.found)];
  },
  async run(i) {
    return { kind: 'json', body: screen(guardrailVersion(i.found, i.ref), i.source, i.texts) };
  },
});

/** ApplyGuardrail. */
export const APPLY_GUARDRAIL_OPERATIONS = [applyGuardrailOp];
