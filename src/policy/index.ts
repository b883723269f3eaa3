/**
 * The IAM policy language: parse, validate, compile, evaluate. Pure: imports nothing outside this
 * folder and no Node.js built-in.
 */

export type { Policy, PolicyKind, Statement } from './ast.js';
export {
  type CompiledPolicy,
  type CompiledStatement,
  compileParsed,
  compilePolicy,
  type PrincipalIds,
} from './compile.js';
export {
  type ContextValue,
  ContextValues,
  describePrincipal,
  makeRequest,
  type RequestContext,
  type RequestPrincipal,
  splitArn,
} from './context.js';
export { PolicyError, type PolicyErrorCode, type PolicyFinding } from './errors.js';
export { type Decision, type EvaluationResult, evaluate, type PolicySet, type StatementRef } from './evaluate.js';
export { type JsonResult, readJson } from './json.js';
export { parsePolicy, printPolicy } from './parse.js';
export { CASE_FIELDS, type PreparedCase, prepareCase, simulateCase } from './simulate.js';
export type * from './simulate-types.js';
