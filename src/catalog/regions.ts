/**
 * The AWS Regions a request may be signed for. basalt is one endpoint for every Region, so the Region
 * in a signature's credential scope is the Region the request is made in: it becomes
 * `aws:RequestedRegion` and the Region of every ARN the request names or creates. A Region no AWS
 * endpoint serves is refused at authentication, as AWS refuses a scope its endpoint does not serve
 * ("Credential should be scoped to a valid region"); otherwise a made-up, empty or upper-cased Region
 * would pass every policy that allows or denies by Region.
 */

/**
 * The commercial partition's Regions ("AWS Regions", AWS General Reference / Regions and Availability
 * Zones, https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html). basalt's
 * ARNs are all in the `aws` partition, so GovCloud and China Regions are not among them.
 */
export const AWS_REGIONS: ReadonlySet<string> = new Set([
  ...['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ca-central-1', 'ca-west-1', 'mx-central-1', 'sa-east-1'],
  ...['eu-central-1', 'eu-central-2', 'eu-north-1', 'eu-south-1', 'eu-south-2', 'eu-west-1', 'eu-west-2'],
  ...['eu-west-3', 'il-central-1', 'me-central-1', 'me-south-1', 'af-south-1'],
  ...['ap-east-1', 'ap-east-2', 'ap-south-1', 'ap-south-2', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3'],
  ...['ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-4', 'ap-southeast-5', 'ap-southeast-6'],
  'ap-southeast-7',
]);

/**
 * The Regions Amazon Bedrock is offered in: "The bedrock-runtime endpoint is available in every AWS
 * Region where Amazon Bedrock is offered" ("Regional availability by endpoints", Amazon Bedrock User
 * Guide, endpoints-region-availability.html), with the Regions that page lists, and the source and
 * destination Regions of the catalog's inference-profile tables ("Supported Regions and models for
 * inference profiles"). A Bedrock request signed for any other Region is refused.
 */
export const BEDROCK_REGIONS: ReadonlySet<string> = new Set([
  ...['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ca-central-1', 'ca-west-1', 'sa-east-1'],
  ...['eu-central-1', 'eu-central-2', 'eu-north-1', 'eu-south-1', 'eu-south-2', 'eu-west-1', 'eu-west-2'],
  ...['eu-west-3', 'il-central-1', 'me-central-1', 'me-south-1', 'af-south-1'],
  ...['ap-east-2', 'ap-south-1', 'ap-south-2', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3'],
  ...['ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-4', 'ap-southeast-5', 'ap-southeast-6'],
  'ap-southeast-7',
]);
