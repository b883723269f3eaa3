/**
 * The tag condition keys every service shares ("Controlling access to AWS resources using tags",
 * IAM User Guide): `aws:ResourceTag/…` from the resource's tags, `aws:RequestTag/…` and
 * `aws:TagKeys` from the tags a request sets.
 */

import type { ContextValue } from '../policy/index.js';
import type { Tag } from '../store/types.js';

/** `aws:ResourceTag/…` of a resource's tags; with `iamPrefix`, also IAM's older `iam:ResourceTag/…`. */
export function resourceTagValues(tags: readonly Tag[], iamPrefix = false): Record<string, ContextValue> {
  const out: Record<string, ContextValue> = {};
  for (const t of tags) {
    out[`aws:ResourceTag/${t.Key}`] = t.Value;
    if (iamPrefix) out[`iam:ResourceTag/${t.Key}`] = t.Value;
  }
  return out;
}

/** `aws:RequestTag/…` and `aws:TagKeys` of the tags a request sets. */
export function requestTagValues(tags: readonly Tag[]): Record<string, ContextValue> {
  const out: Record<string, ContextValue> = {};
  for (const t of tags) out[`aws:RequestTag/${t.Key}`] = t.Value;
  out['aws:TagKeys'] = tags.map((t) => t.Key);
  return out;
}
