/**
 * Sample requests for the saml operations, used by test/compat/authorization.test.ts: valid
 * parameters that a principal with no permissions must be refused.
 */

const A = '123456789012';
const PROVIDER_ARN = `arn:aws:iam::${A}:saml-provider/fixture-saml`;

/**
 * Metadata long enough for the 1000-character minimum of SAMLMetadataDocument. Its content is never
 * read: authorization refuses the call before the metadata is parsed.
 */
const METADATA = `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example.test/saml"><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>${'A'.repeat(1200)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor></md:IDPSSODescriptor></md:EntityDescriptor>`;

/** IAM operation name to parameters. */
export const IAM_SAMPLES: Record<string, Record<string, string>> = {
  CreateSAMLProvider: { Name: 'new-saml', SAMLMetadataDocument: METADATA },
  GetSAMLProvider: { SAMLProviderArn: PROVIDER_ARN },
  ListSAMLProviders: {},
  UpdateSAMLProvider: { SAMLProviderArn: PROVIDER_ARN, SAMLMetadataDocument: METADATA },
  DeleteSAMLProvider: { SAMLProviderArn: PROVIDER_ARN },
  TagSAMLProvider: { SAMLProviderArn: PROVIDER_ARN, 'Tags.member.1.Key': 'k', 'Tags.member.1.Value': 'v' },
  UntagSAMLProvider: { SAMLProviderArn: PROVIDER_ARN, 'TagKeys.member.1': 'k' },
  ListSAMLProviderTags: { SAMLProviderArn: PROVIDER_ARN },
};

/** STS operation name to parameters (signed operations only). */
export const STS_SAMPLES: Record<string, Record<string, string>> = {};
