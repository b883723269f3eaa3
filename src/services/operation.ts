/**
 * Operations are declared, not called (DESIGN.md): each names its IAM action, how to read its
 * parameters, the resources (with their condition keys) it must be allowed on, and its handler. The
 * dispatcher authorizes every declared target before the handler runs; an operation without a
 * declaration cannot be registered.
 */

import type { SecretBox } from '../auth/secret-box.js';
import type { AuthzRequest, Caller, PolicyCache, RequestEnv } from '../authz/index.js';
import { authorize } from '../authz/index.js';
import type { QueryParams, XmlValue } from '../protocols/aws-query.js';
import { WireError } from '../protocols/wire-error.js';
import type { CallSignal } from '../providers/signal.js';
import type { ModelProvider } from '../providers/types.js';
import type { Store } from '../store/types.js';
import type { LastUsedRecorder } from './last-used.js';
import { Params } from './params.js';

/** Which provider runs a Bedrock model ID, and under what upstream name (src/providers config). */
export interface ModelRouter {
  resolve(modelId: string): { provider: ModelProvider; upstreamModel: string };
}

/** What every operation may use. */
export interface ServiceDeps {
  /** The model providers behind the Bedrock runtime. */
  models: ModelRouter;
  store: Store;
  secrets: SecretBox;
  policies: PolicyCache;
  /** Last-used records of access keys and roles, written in batches. */
  lastUsed: LastUsedRecorder;
}

/** One call in progress. */
export interface CallContext {
  caller: Caller;
  env: RequestEnv;
  requestId: string;
  deps: ServiceDeps;
  /** The store revision read when the request arrived: caches answer as of it. */
  revision: number;
  /** Aborted when the client goes away: long calls (model invocations) stop their upstream work. */
  signal: CallSignal;
}

/**
 * A resource the caller must be allowed on; `action` defaults to the operation's, `env` to the
 * request's (a cross-region inference profile authorizes each destination with its own
 * `aws:RequestedRegion`).
 */
export type AuthTarget = Omit<AuthzRequest, 'action'> & { action?: string; env?: RequestEnv };

/** A declared operation. */
export interface Operation<I> {
  /** The wire name, e.g. GetUser. */
  name: string;
  /** The IAM action, e.g. iam:GetUser. */
  action: string;
  /** Reads and validates the parameters (record violations on `p`; the dispatcher throws them). */
  parse(p: Params, ctx: CallContext): I;
  /**
   * Set only for the few operations AWS documents as needing no permission (sts:GetCallerIdentity):
   * the doc passage that says so. The dispatcher then skips authorization.
   */
  noPermissionRequired?: string;
  /** The resources to authorize, each with its operation-specific condition keys. Never empty. */
  targets(input: I, ctx: CallContext): Promise<AuthTarget[]>;
  /**
   * Only for the STS calls made without AWS credentials (AssumeRoleWithWebIdentity,
   * AssumeRoleWithSAML): the request is not SigV4-signed; this authenticates it from its input
   * (a token or an assertion) and returns the caller that the dispatcher then authorizes.
   */
  authenticateInput?(input: I, ctx: CallContext): Promise<Caller>;
  /**
   * AccessDenied wording when AWS's differs from the usual "User: ARN is not authorized…" (federated
   * callers of AssumeRoleWith… have no ARN: "Not authorized to perform ACTION").
   */
  deniedMessage?(action: string): string;
  /** Does the work after authorization; the result element's content, or undefined for none. */
  run(input: I, ctx: CallContext): Promise<Record<string, XmlValue> | undefined>;
}

/** An operation with its input type erased, as the registry holds it. */
// biome-ignore lint/suspicious/noExplicitAny: the registry holds operations of every input type
export type AnyOperation = Operation<any>;

/** Declares an operation (the type requires every part of the declaration). */
export function operation<I>(op: Operation<I>): Operation<I> {
  if (!/^[a-z0-9-]+:[A-Za-z0-9]+$/.test(op.action)) throw new Error(`operation ${op.name}: bad action ${op.action}`);
  return op;
}

/** A registry of operations by wire name; refuses duplicates. */
export function registry(ops: readonly AnyOperation[]): ReadonlyMap<string, AnyOperation> {
  const map = new Map<string, AnyOperation>();
  for (const op of ops) {
    if (map.has(op.name)) throw new Error(`operation ${op.name} registered twice`);
    map.set(op.name, op);
  }
  return map;
}

/**
 * Authorizes every target in order with the caller's policies as of the request's revision; the
 * first denial throws the error `denied` builds from AWS's message (each protocol has its own code:
 * AccessDenied for awsQuery, AccessDeniedException for restJson1).
 */
export async function authorizeTargets(
  targets: readonly AuthTarget[],
  defaultAction: string,
  ctx: CallContext,
  denied: (action: string, message: string) => Error,
): Promise<void> {
  const policies =
    ctx.deps.policies.cached(ctx.caller, ctx.revision) ?? (await ctx.deps.policies.get(ctx.caller, ctx.revision));
  for (const t of targets) {
    const action = t.action ?? defaultAction;
    const outcome = authorize(ctx.caller, policies, t.env ?? ctx.env, { ...t, action });
    if (!outcome.allowed) throw denied(action, outcome.message);
  }
}

/**
 * Runs one operation: parameters, then authorization of every target (the first denial answers,
 * in AWS's words), then the handler.
 */
export async function dispatch(
  op: AnyOperation,
  params: QueryParams,
  callContext: CallContext,
): Promise<Record<string, XmlValue> | undefined> {
  let ctx = callContext;
  const p = new Params(params);
  const input: unknown = op.parse(p, ctx);
  p.done();
  if (op.authenticateInput !== undefined) {
    // INVARIANT: an unsigned operation's caller comes only from its own validated input.
    ctx = { ...ctx, caller: await op.authenticateInput(input, ctx) };
  }
  if (op.noPermissionRequired === undefined) {
    const targets = await op.targets(input, ctx);
    if (targets.length === 0) throw new Error(`operation ${op.name} declared no authorization target`);
    await authorizeTargets(targets, op.action, ctx, (action, message) => {
      return new WireError('AccessDenied', op.deniedMessage?.(action) ?? message);
    });
  }
  return op.run(input, ctx);
}
