/**
 * IAM users for tests that drive a running server: created by root through the AWS SDK, with an
 * inline policy, managed policies and tags as asked, and an access key to sign with.
 */

import * as iam from '@aws-sdk/client-iam';
import { type Credentials, iamClient } from './clients.js';

/** What a test user holds besides its inline statements. */
export interface UserOptions {
  /** ARNs of managed policies to attach. */
  managed?: string[];
  tags?: iam.Tag[];
}

/**
 * Creates user `name` on the server at `url` with `statements` as its inline policy `p` (none when
 * empty), the given managed policies and tags; its new access key.
 */
export async function userWithStatements(
  url: string,
  name: string,
  statements: object[],
  options: UserOptions = {},
): Promise<Credentials> {
  const root = iamClient(url);
  await root.send(new iam.CreateUserCommand({ UserName: name, Tags: options.tags }));
  if (statements.length > 0) {
    await root.send(
      new iam.PutUserPolicyCommand({
        UserName: name,
        PolicyName: 'p',
        PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: statements }),
      }),
    );
  }
  for (const arn of options.managed ?? []) {
    await root.send(new iam.AttachUserPolicyCommand({ UserName: name, PolicyArn: arn }));
  }
  const k = await root.send(new iam.CreateAccessKeyCommand({ UserName: name }));
  return { accessKeyId: k.AccessKey?.AccessKeyId ?? '', secretAccessKey: k.AccessKey?.SecretAccessKey ?? '' };
}
