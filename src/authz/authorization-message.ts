/**
 * Encoded authorization messages: the detail of a denial (who, what action, which resource, the
 * request context, the statements that matched), sealed under the master key so that only a caller
 * allowed sts:DecodeAuthorizationMessage can read it ("DecodeAuthorizationMessage", STS API
 * Reference). The decoded text has AWS's JSON shape: allowed, explicitDeny, matchedStatements,
 * failures, context {principal, action, resource, conditions}.
 */

import type { Caller } from '../auth/caller.js';
import type { SecretBox } from '../auth/secret-box.js';
import type { ContextValue, EvaluationResult } from '../policy/index.js';

const AAD = 'basalt-authorization-message-v1';

/** The request a denial was about. */
export interface DeniedRequest {
  action: string;
  resource: string;
  context: Readonly<Record<string, ContextValue>>;
}

/** Seals the detail of an authorization outcome into an encoded message. */
export function encodeAuthorizationMessage(
  box: SecretBox,
  caller: Caller,
  req: DeniedRequest,
  result: EvaluationResult,
): string {
  const decoded = {
    allowed: result.decision === 'Allow',
    explicitDeny: result.decision === 'ExplicitDeny',
    matchedStatements: {
      items: result.matched.map((m) => ({
        statementId: m.statement.sid ?? '',
        effect: m.statement.isDeny ? 'DENY' : 'ALLOW',
        policyType: m.policyType,
      })),
    },
    failures: { items: [] },
    context: {
      principal: {
        id: caller.userId,
        arn: caller.arn,
        ...(caller.userName === undefined ? {} : { name: caller.userName }),
      },
      action: req.action,
      resource: req.resource,
      conditions: {
        items: Object.entries(req.context).map(([key, value]) => ({
          key,
          values: { items: (typeof value === 'string' ? [value] : value).map((v) => ({ value: v })) },
        })),
      },
    },
  };
  return box.seal(JSON.stringify(decoded), AAD);
}

/** The decoded JSON text of an encoded message, or undefined when it is not one of ours. */
export function decodeAuthorizationMessage(box: SecretBox, encoded: string): string | undefined {
  try {
    return box.open(encoded, AAD);
  } catch {
    return undefined;
  }
}
