/**
 * basalt as the benchmark drives it, the way the authorizer will: every policy compiled once up
 * front, one PolicySet and principal description per principal built once (the authorizer caches
 * both), then per request makeRequest + evaluate.
 */

import type { PolicyKind } from '../../src/policy/index.ts';
import {
  type CompiledPolicy,
  ContextValues,
  compilePolicy,
  describePrincipal,
  evaluate,
  makeRequest,
  PolicyError,
  type PolicySet,
  type RequestContext,
  type RequestPrincipal,
} from '../../src/policy/index.ts';
import type { Decision, NamedPolicy, PrincipalDef, RequestSpec, Scenario } from './types.ts';

/**
 * A principal as basalt's authorizer holds it, all built once: its description, its compiled policy
 * set, and its own condition keys (aws:username, aws:PrincipalTag/…), which each request's context
 * reads through.
 */
export interface BasaltPrincipal {
  principal: RequestPrincipal;
  set: PolicySet;
  context: ContextValues;
}

function principalContext(p: PrincipalDef): ContextValues {
  const values = new ContextValues();
  for (const [k, v] of Object.entries(p.context)) values.set(k, v);
  return values;
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
  return scenario.principals.map((p) => ({
    principal: describePrincipal(p.arn),
    set: policySet(p, compiler),
    context: principalContext(p),
  }));
}

/** The request context as the authorizer builds it: the request's own keys over the principal's. */
export function requestFor(p: BasaltPrincipal, spec: RequestSpec): RequestContext {
  const values = new ContextValues(p.context);
  const own = spec.requestContext;
  for (const k in own) {
    const v = own[k];
    if (v !== undefined) values.set(k, v);
  }
  return makeRequest({ principal: p.principal, action: spec.action, resource: spec.resource, values });
}

/**
 * Returns a decide function over the prepared principals. `collect` is passed to evaluate: false is
 * the authorizer's fast path, true also lists the matched statements.
 */
export function basaltDecider(principals: BasaltPrincipal[], collect: boolean): (spec: RequestSpec) => Decision {
  return (spec) => {
    const p = principals[spec.principal] as BasaltPrincipal;
    return evaluate(requestFor(p, spec), p.set, collect).decision;
  };
}
