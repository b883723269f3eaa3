/**
 * restJson1 operations (Bedrock and Bedrock Runtime): declared like the query operations — an IAM
 * action, the resources to authorize, a handler — plus the HTTP method and path template the
 * service model binds them to ("restJson1 protocol", Smithy). The dispatcher matches the route,
 * parses, authorizes every target, then runs the handler; an answer is JSON, raw bytes (InvokeModel)
 * or an event stream (InvokeModelWithResponseStream, ConverseStream).
 */

import { WireError } from '../protocols/wire-error.js';
import { type AuthTarget, authorizeTargets, type CallContext } from './operation.js';

/** One decoded HTTP request as an operation sees it. */
export interface RestRequest {
  method: string;
  /** Path labels, percent-decoded (`{modelId}` of `/model/{modelId}/invoke`). */
  pathParams: Readonly<Record<string, string>>;
  query: URLSearchParams;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  body: Buffer;
}

/** What an operation answers. */
export type RestResult =
  | { kind: 'json'; status?: number; body: unknown; headers?: Record<string, string> }
  | { kind: 'bytes'; body: Buffer; contentType: string; headers?: Record<string, string> }
  | { kind: 'stream'; contentType: string; headers?: Record<string, string>; events: AsyncIterable<Buffer> };

/** A declared restJson1 operation. */
export interface RestOperation<I> {
  /** The wire name, e.g. InvokeModel. */
  name: string;
  /** The IAM action, e.g. bedrock:InvokeModel. */
  action: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The path template with `{label}`s, e.g. `/model/{modelId}/invoke`. */
  path: string;
  /** Reads and validates the input; throws WireError (ValidationException, SerializationException). */
  parse(req: RestRequest, ctx: CallContext): I;
  /** The resources to authorize, each with its operation-specific condition keys. Never empty. */
  targets(input: I, ctx: CallContext): Promise<AuthTarget[]>;
  /** Does the work after authorization. */
  run(input: I, ctx: CallContext): Promise<RestResult>;
}

// biome-ignore lint/suspicious/noExplicitAny: the router holds operations of every input type
export type AnyRestOperation = RestOperation<any>;

/** Declares a restJson1 operation (checks the action's form). */
export function restOperation<I>(op: RestOperation<I>): RestOperation<I> {
  if (!/^[a-z0-9-]+:[A-Za-z0-9]+$/.test(op.action)) throw new Error(`operation ${op.name}: bad action ${op.action}`);
  return op;
}

interface Route {
  op: AnyRestOperation;
  /** The path's segments after the leading '/': the literal text, or undefined for a `{label}`. */
  literals: Array<string | undefined>;
  /** The label names, by segment (undefined for literal segments). */
  labels: Array<string | undefined>;
}

/** Finds the operation for a method and raw path; path labels are percent-decoded per segment. */
export class RestRouter {
  private readonly routes: Route[] = [];
  /** The routes by method and segment count, in registration order: a request is tried only against these. */
  private readonly byShape = new Map<string, Route[]>();

  /** Builds the router; refuses two operations with the same name or the same method and path. */
  constructor(ops: readonly AnyRestOperation[]) {
    const seen = new Set<string>();
    for (const op of ops) {
      const key = `${op.method} ${op.path}`;
      if (seen.has(op.name) || seen.has(key)) throw new Error(`operation ${op.name} (${key}) registered twice`);
      seen.add(op.name);
      seen.add(key);
      const segments = op.path.split('/').slice(1);
      const isLabel = (seg: string) => seg.startsWith('{') && seg.endsWith('}');
      const route: Route = {
        op,
        literals: segments.map((seg) => (isLabel(seg) ? undefined : seg)),
        labels: segments.map((seg) => (isLabel(seg) ? seg.slice(1, -1) : undefined)),
      };
      this.routes.push(route);
      const shape = `${op.method} ${segments.length}`;
      const list = this.byShape.get(shape);
      if (list === undefined) this.byShape.set(shape, [route]);
      else list.push(route);
    }
  }

  /** Every registered operation. */
  get operations(): AnyRestOperation[] {
    return this.routes.map((r) => r.op);
  }

  /**
   * The operation and its path labels, or undefined when no route has this path. A path that
   * matches with another method is answered like an unknown path, as AWS's front end does. Labels
   * are decoded only for the route whose literal segments match; a label that is not valid
   * percent-encoding there is a ValidationException.
   */
  match(method: string, rawPath: string): { op: AnyRestOperation; pathParams: Record<string, string> } | undefined {
    const parts = rawPath.split('/');
    // parts[0] is the text before the leading '/': a path must start with it.
    if (parts[0] !== '') return undefined;
    const candidates = this.byShape.get(`${method} ${parts.length - 1}`);
    if (candidates === undefined) return undefined;
    for (const route of candidates) {
      if (!fits(route, parts)) continue;
      const pathParams: Record<string, string> = {};
      for (let i = 0; i < route.labels.length; i++) {
        const label = route.labels[i];
        if (label === undefined) continue;
        try {
          pathParams[label] = decodeURIComponent(parts[i + 1] ?? '');
        } catch {
          throw new WireError('ValidationException', `The path label ${label} is not valid percent-encoding`);
        }
      }
      return { op: route.op, pathParams };
    }
    return undefined;
  }
}

/** True when every literal segment of the route equals the path's and every label segment is not empty. */
function fits(route: Route, parts: readonly string[]): boolean {
  for (let i = 0; i < route.literals.length; i++) {
    const part = parts[i + 1] ?? '';
    const literal = route.literals[i];
    if (literal === undefined ? part === '' : literal !== part) return false;
  }
  return true;
}

/**
 * Runs one restJson1 operation: parse, authorize every target (the first denial answers with
 * AccessDeniedException in AWS's words), then the handler.
 */
export async function dispatchRest(op: AnyRestOperation, req: RestRequest, ctx: CallContext): Promise<RestResult> {
  const input: unknown = op.parse(req, ctx);
  const targets = await op.targets(input, ctx);
  if (targets.length === 0) throw new Error(`operation ${op.name} declared no authorization target`);
  await authorizeTargets(
    targets,
    op.action,
    ctx,
    (_action, message) => new WireError('AccessDeniedException', message),
  );
  return op.run(input, ctx);
}

/** The request body as JSON; an empty body is `{}`; anything unparsable is a SerializationException. */
export function jsonBody(req: RestRequest): unknown {
  if (req.body.length === 0) return {};
  try {
    return JSON.parse(req.body.toString('utf8'));
  } catch {
    throw new WireError('SerializationException', 'The request body is not valid JSON.');
  }
}
