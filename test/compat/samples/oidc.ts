/**
 * Sample requests for the oidc operations, used by test/compat/authorization.test.ts: valid
 * parameters that a principal with no permissions must be refused.
 */

const PROVIDER_ARN = 'arn:aws:iam::123456789012:oidc-provider/idp.example.com/realms/main';

/** IAM operation name to parameters. */
export const IAM_SAMPLES: Record<string, Record<string, string>> = {
  CreateOpenIDConnectProvider: {
    Url: 'https://idp.example.com/realms/main',
    'ClientIDList.member.1': 'sts.amazonaws.com',
    'ThumbprintList.member.1': '9e99a48a9960b14926bb7f3b02e22da2b0ab7280',
  },
  GetOpenIDConnectProvider: { OpenIDConnectProviderArn: PROVIDER_ARN },
  ListOpenIDConnectProviders: {},
  DeleteOpenIDConnectProvider: { OpenIDConnectProviderArn: PROVIDER_ARN },
  UpdateOpenIDConnectProviderThumbprint: {
    OpenIDConnectProviderArn: PROVIDER_ARN,
    'ThumbprintList.member.1': '9e99a48a9960b14926bb7f3b02e22da2b0ab7280',
  },
  AddClientIDToOpenIDConnectProvider: { OpenIDConnectProviderArn: PROVIDER_ARN, ClientID: 'web-app' },
  RemoveClientIDFromOpenIDConnectProvider: { OpenIDConnectProviderArn: PROVIDER_ARN, ClientID: 'web-app' },
  TagOpenIDConnectProvider: {
    OpenIDConnectProviderArn: PROVIDER_ARN,
    'Tags.member.1.Key': 'k',
    'Tags.member.1.Value': 'v',
  },
  UntagOpenIDConnectProvider: { OpenIDConnectProviderArn: PROVIDER_ARN, 'TagKeys.member.1': 'k' },
  ListOpenIDConnectProviderTags: { OpenIDConnectProviderArn: PROVIDER_ARN },
};

/**
 * STS operation name to parameters (signed operations only). AssumeRoleWithWebIdentity is unsigned
 * (it authenticates its token), so the authorization walk leaves it to test/compat/oidc.test.ts.
 */
export const STS_SAMPLES: Record<string, Record<string, string>> = {};
