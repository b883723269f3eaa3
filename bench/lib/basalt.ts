/**
 * basalt as the benchmark drives it, the way the authorizer will: every policy compiled once up
 * front, one PolicySet and principal description per principal built once (the authorizer caches
 * both), then per request makeRequest + evaluate.
 */

import type { PolicyKind } from '../../src/policy/index.ts';
import {
  type CompiledPolicy,
  compilePolicy,
  describePrincipal,
  evaluate,
  makeRequest,
  PolicyError,
  type PolicySet,
  type RequestPrincipal,
} from '../../src/policy/index.ts';
import type { Decision, NamedPolicy, PrincipalDef, RequestSpec, Scenario } from './types.ts';

/** A principal as basalt holds it: its description and its compiled policy set, both built once. */
export interface BasaltPrincipal {
  principal: RequestPrincipal;
  set: PolicySet;
}

/** Compiles each distinct policy once (by name and kind), failing loudly on a malformed one. */
class Compiler {
  private readonly cache = new Map<string, CompiledPolicy>();

  compile(p: NamedPolicy, kind: PolicyKind): CompiledPolicy {
    const key = `${kind}/${p.name}`;
    let compiled = this.cache.get(key);
    if (compiled === undefined) {
      const result = compilePolicy(p.doc, kind);
      if (result instanceof PolicyError) throw new Error(`basalt rejected ${key}: ${JSON.stringify(result.findings)}`);
      compiled = result;
      this.cache.set(key, compiled);
    }
    return compiled;
  }
}

function policySet(p: PrincipalDef, compiler: Compiler): PolicySet {
  return {
    identity: p.identity.map((x) => compiler.compile(x, 'identity')),
    boundary: p.boundary ? compiler.compile(p.boundary, 'boundary') : undefined,
    scp: p.scp.map((level) => level.policies.map((x) => compiler.compile(x, 'scp'))),
  };
}

/** Compiles every policy of the scenario once and builds each principal's policy set. */
export function prepareBasalt(scenario: Scenario): BasaltPrincipal[] {
  const compiler = new Compiler();
  return scenario.principals.map((p) => ({ principal: describePrincipal(p.arn), set: policySet(p, compiler) }));
}

/**
 * Returns a decide function over the prepared principals. `collect` is passed to evaluate: false is
 * the authorizer's fast path, true also lists the matched statements.
 */
export function basaltDecider(principals: BasaltPrincipal[], collect: boolean): (spec: RequestSpec) => Decision {
  return (spec) => {
    const p = principals[spec.principal] as BasaltPrincipal;
    const req = makeRequest({
      principal: p.principal,
      action: spec.action,
      resource: spec.resource,
      values: spec.context,
    });
    return evaluate(req, p.set, collect).decision;
  };
}
