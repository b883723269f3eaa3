/**
 * GetFederationToken against the real server with the AWS SDK (STS API Reference,
 * "GetFederationToken"; IAM User Guide, "Permissions for GetFederationToken"): the federated user
 * session holds the intersection of the calling user's policies and the session policies, nothing
 * without a session policy, and calls neither IAM nor any STS operation but GetCallerIdentity.
 */

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as bedrock from '@aws-sdk/client-bedrock';
import * as iam from '@aws-sdk/client-iam';
import * as sts from '@aws-sdk/client-sts';
import { credsOf, rejectsWith } from '../support/assertions.js';
import { ROOT, startBasalt, type TestServer } from '../support/basalt.js';
import { bedrockClient, type Credentials, iamClient, stsClient } from '../support/clients.js';
import { userWithStatements } from '../support/users.js';

const A = ROOT.accountId;
const doc = (statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const LIST_MODELS = doc([{ Effect: 'Allow', Action: 'bedrock:ListFoundationModels', Resource: '*' }]);
const BEDROCK_ALL = doc([{ Effect: 'Allow', Action: 'bedrock:*', Resource: '*' }]);

describe('GetFederationToken over the AWS SDK', { concurrency: false }, () => {
  let server: TestServer;
  let broker: Credentials;
  const federate = (input: Omit<sts.GetFederationTokenCommandInput, 'Name'> & { Name: string }, as = broker) =>
    stsClient(server.url, as).send(new sts.GetFederationTokenCommand(input));
  const listModels = (creds: Credentials) =>
    bedrockClient(server.url, creds).send(new bedrock.ListFoundationModelsCommand({}));
  const getProfile = (creds: Credentials) =>
    bedrockClient(server.url, creds).send(
      new bedrock.GetInferenceProfileCommand({
        inferenceProfileIdentifier: 'us.anthropic.claude-3-haiku-20240307-v1:0',
      }),
    );

  before(async () => {
    server = await startBasalt();
    // The broker may federate users named app-*, lists models, and may read inference profiles
    // only for a principal tagged team=red.
    broker = await userWithStatements(
      server.url,
      'broker',
      [
        {
          Effect: 'Allow',
          Action: ['sts:GetFederationToken', 'sts:TagSession'],
          Resource: `arn:aws:sts::${A}:federated-user/app-*`,
        },
        { Effect: 'Allow', Action: 'bedrock:ListFoundationModels', Resource: '*' },
        {
          Effect: 'Allow',
          Action: 'bedrock:GetInferenceProfile',
          Resource: '*',
          Condition: { StringEquals: { 'aws:PrincipalTag/team': 'red' } },
        },
      ],
      { tags: [{ Key: 'team', Value: 'blue' }] },
    );
  });
  after(() => server?.destroy());

  test('the session is who the answer says, and GetCallerIdentity agrees', async () => {
    const r = await federate({ Name: 'app-1', Policy: LIST_MODELS, DurationSeconds: 900 });
    assert.equal(r.FederatedUser?.Arn, `arn:aws:sts::${A}:federated-user/app-1`);
    assert.equal(r.FederatedUser?.FederatedUserId, `${A}:app-1`);
    assert.ok((r.PackedPolicySize ?? 0) > 0);
    const expires = r.Credentials?.Expiration?.getTime() ?? 0;
    assert.ok(Math.abs(expires - Date.now() - 900_000) < 60_000, `${r.Credentials?.Expiration}`);
    const me = await stsClient(server.url, credsOf(r.Credentials)).send(new sts.GetCallerIdentityCommand({}));
    assert.equal(me.Arn, `arn:aws:sts::${A}:federated-user/app-1`);
    assert.equal(me.UserId, `${A}:app-1`);
    assert.equal(me.Account, A);
  });

  test("permissions are the intersection of the user's policies and the session policies", async () => {
    // A session policy allowing all of Bedrock grants only what the user has.
    const wide = credsOf((await federate({ Name: 'app-wide', Policy: BEDROCK_ALL })).Credentials);
    assert.ok(((await listModels(wide)).modelSummaries?.length ?? 0) > 0);
    await rejectsWith(
      bedrockClient(server.url, wide).send(new bedrock.ListInferenceProfilesCommand({})),
      'AccessDeniedException',
      new RegExp(
        `User: arn:aws:sts::${A}:federated-user/app-wide is not authorized to perform: bedrock:ListInferenceProfiles .*because no identity-based policy allows`,
      ),
    );
    // A session policy allowing less limits the session.
    const narrow = credsOf(
      (
        await federate({
          Name: 'app-narrow',
          Policy: doc([{ Effect: 'Allow', Action: 'bedrock:GetFoundationModel', Resource: '*' }]),
        })
      ).Credentials,
    );
    await rejectsWith(listModels(narrow), 'AccessDeniedException', /because no session policy allows/);
    // A managed session policy works the same way.
    const managed = credsOf(
      (
        await federate({
          Name: 'app-managed',
          PolicyArns: [{ arn: 'arn:aws:iam::aws:policy/AmazonBedrockReadOnly' }],
        })
      ).Credentials,
    );
    assert.ok(((await listModels(managed)).modelSummaries?.length ?? 0) > 0);
  });

  test('without a session policy the session has no permissions', async () => {
    const bare = credsOf((await federate({ Name: 'app-bare' })).Credentials);
    await rejectsWith(listModels(bare), 'AccessDeniedException', /because no session policy allows/);
  });

  test('the federated user name is the resource the caller must be allowed', async () => {
    await rejectsWith(
      federate({ Name: 'other', Policy: LIST_MODELS }),
      'AccessDenied',
      new RegExp(
        `not authorized to perform: sts:GetFederationToken on resource: arn:aws:sts::${A}:federated-user/other`,
      ),
    );
  });

  test('session tags need sts:TagSession, and override the user tag of the same key', async () => {
    const noTagSession = await userWithStatements(server.url, 'no-tag-session', [
      { Effect: 'Allow', Action: 'sts:GetFederationToken', Resource: '*' },
    ]);
    await rejectsWith(
      federate({ Name: 'app-t', Policy: BEDROCK_ALL, Tags: [{ Key: 'team', Value: 'red' }] }, noTagSession),
      'AccessDenied',
      /sts:TagSession/,
    );
    // The broker is tagged team=blue: its own session may not read profiles, a session tagged red may.
    const blue = credsOf((await federate({ Name: 'app-blue', Policy: BEDROCK_ALL })).Credentials);
    await rejectsWith(getProfile(blue), 'AccessDeniedException');
    const red = credsOf(
      (await federate({ Name: 'app-red', Policy: BEDROCK_ALL, Tags: [{ Key: 'Team', Value: 'red' }] })).Credentials,
    );
    assert.ok((await getProfile(red)).inferenceProfileArn);
  });

  test('the session calls no IAM operation and no STS operation but GetCallerIdentity', async () => {
    const session = credsOf(
      (await federate({ Name: 'app-limits', Policy: doc([{ Effect: 'Allow', Action: '*', Resource: '*' }]) }))
        .Credentials,
    );
    await rejectsWith(iamClient(server.url, session).send(new iam.ListUsersCommand({})), 'AccessDenied');
    await rejectsWith(stsClient(server.url, session).send(new sts.GetSessionTokenCommand({})), 'AccessDenied');
    await rejectsWith(federate({ Name: 'app-again', Policy: LIST_MODELS }, session), 'AccessDenied');
    // Nor may a GetSessionToken session federate: long-term credentials only.
    const sessionToken = credsOf(
      (await stsClient(server.url, broker).send(new sts.GetSessionTokenCommand({}))).Credentials,
    );
    await rejectsWith(
      federate({ Name: 'app-from-session', Policy: LIST_MODELS }, sessionToken),
      'AccessDenied',
      /session credentials/,
    );
  });

  test('a session whose user was deleted holds nothing', async () => {
    const temp = await userWithStatements(server.url, 'temp-broker', [
      { Effect: 'Allow', Action: ['sts:GetFederationToken', 'bedrock:ListFoundationModels'], Resource: '*' },
    ]);
    const session = credsOf((await federate({ Name: 'app-orphan', Policy: LIST_MODELS }, temp)).Credentials);
    assert.ok(((await listModels(session)).modelSummaries?.length ?? 0) > 0);
    const root = iamClient(server.url);
    await root.send(new iam.DeleteUserPolicyCommand({ UserName: 'temp-broker', PolicyName: 'p' }));
    const keys = await root.send(new iam.ListAccessKeysCommand({ UserName: 'temp-broker' }));
    for (const k of keys.AccessKeyMetadata ?? []) {
      await root.send(new iam.DeleteAccessKeyCommand({ UserName: 'temp-broker', AccessKeyId: k.AccessKeyId }));
    }
    await root.send(new iam.DeleteUserCommand({ UserName: 'temp-broker' }));
    // Recreated under the same name with all of Bedrock: still another user.
    await userWithStatements(server.url, 'temp-broker', [{ Effect: 'Allow', Action: '*', Resource: '*' }]);
    await rejectsWith(listModels(session), 'AccessDeniedException');
  });

  test('the root user may federate, for at most an hour, limited by the session policy', async () => {
    const r = await federate(
      { Name: 'root-app', Policy: LIST_MODELS, DurationSeconds: 7200 },
      {
        accessKeyId: ROOT.accessKeyId,
        secretAccessKey: ROOT.secretAccessKey,
      },
    );
    const expires = r.Credentials?.Expiration?.getTime() ?? 0;
    assert.ok(Math.abs(expires - Date.now() - 3600_000) < 60_000, `${r.Credentials?.Expiration}`);
    const session = credsOf(r.Credentials);
    assert.ok(((await listModels(session)).modelSummaries?.length ?? 0) > 0);
    await rejectsWith(getProfile(session), 'AccessDeniedException', /because no session policy allows/);
  });

  test('bad input', async () => {
    await rejectsWith(federate({ Name: 'app-short', DurationSeconds: 899 }), 'ValidationError');
    await rejectsWith(federate({ Name: 'a' }), 'ValidationError');
    await rejectsWith(federate({ Name: 'app with space' }), 'ValidationError');
    await rejectsWith(
      federate({ Name: 'app-bad-policy', Policy: '{"Statement": 5}' }),
      'MalformedPolicyDocumentException',
    );
    await rejectsWith(
      federate({ Name: 'app-missing', PolicyArns: [{ arn: `arn:aws:iam::${A}:policy/nothing-here` }] }),
      'InvalidParameterValue',
    );
  });
});
