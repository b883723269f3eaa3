/**
 * The IAM user the model-call benchmarks sign as: three policies (an Allow with conditions on
 * aws:RequestedRegion and a principal tag, a Deny, and AmazonBedrockReadOnly) and an access key,
 * created as root through whatever IAM caller the benchmark has (HTTP, or the endpoint in process).
 */

import type { Credentials } from '../../test/support/clients.ts';

/** Calls one IAM action as root and resolves to its XML answer; throws on an error answer. */
export type IamCall = (action: string, params: Record<string, string>) => Promise<string>;

/** The user's two customer managed policies (one statement each), by name. */
export const BENCH_POLICIES = {
  'bench-invoke': {
    Effect: 'Allow',
    Action: ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'],
    Resource: 'arn:aws:bedrock:*::foundation-model/meta.*',
    Condition: { StringEquals: { 'aws:RequestedRegion': 'us-east-1', 'aws:PrincipalTag/team': 'ml' } },
  },
  'bench-deny': { Effect: 'Deny', Action: 'bedrock:*', Resource: 'arn:aws:bedrock:*::foundation-model/anthropic.*' },
};
/** The user's tag, which bench-invoke's condition reads. */
export const BENCH_USER_TAG = { key: 'team', value: 'ml' };

/** Creates the user `bench` with its policies and an access key; its credentials. */
export async function createBenchUser(iam: IamCall): Promise<Credentials> {
  await iam('CreateUser', {
    UserName: 'bench',
    'Tags.member.1.Key': BENCH_USER_TAG.key,
    'Tags.member.1.Value': BENCH_USER_TAG.value,
  });
  for (const [name, statement] of Object.entries(BENCH_POLICIES)) {
    await iam('CreatePolicy', {
      PolicyName: name,
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [statement] }),
    });
    await iam('AttachUserPolicy', { UserName: 'bench', PolicyArn: `arn:aws:iam::123456789012:policy/${name}` });
  }
  await iam('AttachUserPolicy', { UserName: 'bench', PolicyArn: 'arn:aws:iam::aws:policy/AmazonBedrockReadOnly' });
  const keyXml = await iam('CreateAccessKey', { UserName: 'bench' });
  return {
    accessKeyId: /<AccessKeyId>([^<]+)</.exec(keyXml)?.[1] ?? '',
    secretAccessKey: /<SecretAccessKey>([^<]+)</.exec(keyXml)?.[1] ?? '',
  };
}
