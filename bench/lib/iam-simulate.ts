/**
 * The same scenarios through @cloud-copilot/iam-simulate (AGPL: used from bench/ only). It has no
 * compile-once API: each call takes the policy documents and loads them again, which is part of its
 * measured cost. runSimulation also validates the policies, the action, the resource type and the
 * context keys; runUnsafeSimulation skips validation.
 *
 * runUnsafeSimulation is not told which actions are wildcard-only (runSimulation looks that up), so
 * for a request on resource `*` it lets an Allow on any ARN match: it allows, for example,
 * bedrock:ListFoundationModels under `"Resource": "arn:aws:bedrock:*:*:*"`, where runSimulation and
 * basalt do not. Those show up as disagreements in the report.
 */

import { runSimulation, runUnsafeSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import type { Decision, PrincipalDef, RequestSpec, Scenario } from './types.ts';

const DECISION: Record<string, Decision> = {
  Allowed: 'Allow',
  ExplicitlyDenied: 'ExplicitDeny',
  ImplicitlyDenied: 'ImplicitDeny',
};

type PolicyPart = Omit<Simulation, 'request'>;

function policyPart(p: PrincipalDef): PolicyPart {
  const part: PolicyPart = {
    identityPolicies: p.identity.map((x) => ({ name: x.name, policy: x.doc })),
    serviceControlPolicies: p.scp.map((level) => ({
      orgIdentifier: level.orgId,
      policies: level.policies.map((x) => ({ name: x.name, policy: x.doc })),
    })),
    resourceControlPolicies: [],
  };
  if (p.boundary) part.permissionBoundaryPolicies = [{ name: p.boundary.name, policy: p.boundary.doc }];
  return part;
}

/** The policy part of each principal's simulation input, built once. */
export function prepareIamSimulate(scenario: Scenario): PolicyPart[] {
  return scenario.principals.map(policyPart);
}

/** The simulation input for one request (built before timing starts). */
export function simulation(parts: PolicyPart[], scenario: Scenario, spec: RequestSpec): Simulation {
  const principal = scenario.principals[spec.principal] as PrincipalDef;
  return {
    ...(parts[spec.principal] as PolicyPart),
    request: {
      principal: principal.arn,
      action: spec.action,
      resource: { resource: spec.resource, accountId: spec.resourceAccount },
      contextVariables: spec.context,
    },
  };
}

/** Runs the validating simulation; 'Error' when iam-simulate rejects the input. */
export async function simulateSafe(sim: Simulation): Promise<Decision> {
  const result = await runSimulation(sim, {});
  if (result.resultType === 'error') return 'Error';
  return DECISION[result.overallResult] ?? 'Error';
}

/** Runs the simulation without validation. */
export function simulateUnsafe(sim: Simulation): Decision {
  return DECISION[runUnsafeSimulation(sim, {})] ?? 'Error';
}
