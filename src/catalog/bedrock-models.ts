/**
 * The Amazon Bedrock model catalog: a representative set of real foundation models, as
 * GetFoundationModel / ListFoundationModels describe them (FoundationModelDetails and
 * FoundationModelSummary in the Amazon Bedrock API Reference), and the system-defined cross-Region
 * inference profiles that serve them (GetInferenceProfile / ListInferenceProfiles with
 * typeEquals=SYSTEM_DEFINED). Pure data and lookups: no I/O, nothing imported.
 *
 * Sources, all in the Amazon Bedrock User Guide unless named otherwise:
 * - "Supported foundation models in Amazon Bedrock" and "Model lifecycle": IDs, names, modalities,
 *   lifecycle status.
 * - "Supported models and Regions for fine-tuning and continued pre-training": customization is
 *   offered on the context-length variants (`amazon.titan-text-express-v1:0:8k`,
 *   `amazon.nova-micro-v1:0:128k`, …), which ListFoundationModels lists as models of their own.
 * - "Supported Regions and models for inference profiles" (inference-profiles-support.html): one
 *   table per profile, source Region → destination Regions.
 * - "Global cross-Region inference" (global-cross-region-inference.html): the IAM resources a
 *   global profile needs.
 *
 * Per-model values (inferenceTypesSupported above all) differ between Regions; the catalog holds
 * what ListFoundationModels reports in us-east-1 / us-west-2, as of late 2025.
 */

// ---------------------------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------------------------

/**
 * A model modality. The SDK's ModelModality enum lists TEXT, IMAGE and EMBEDDING, but the service
 * also returns VIDEO (Nova Lite, Pro and Premier list it as an input modality), so it is kept.
 */
export type ModelModality = 'TEXT' | 'IMAGE' | 'VIDEO' | 'EMBEDDING';

/** A customization a model accepts (CreateModelCustomizationJob's customizationType). */
export type ModelCustomization = 'FINE_TUNING' | 'CONTINUED_PRE_TRAINING' | 'DISTILLATION';

/**
 * How a model can be invoked. INFERENCE_PROFILE is what the service reports for models that can only
 * be called through a cross-Region inference profile (the SDK's InferenceType enum lacks it).
 */
export type InferenceType = 'ON_DEMAND' | 'PROVISIONED' | 'INFERENCE_PROFILE';

/** FoundationModelLifecycle.status ("Model lifecycle": Active, Legacy; EOL models are not listed). */
export type ModelLifecycleStatus = 'ACTIVE' | 'LEGACY';

/**
 * The native InvokeModel body format (our own field, not on the wire). `embedding` covers both Titan
 * (`inputText`) and Cohere (`texts`, `input_type`) embedding bodies; tell them apart by providerName.
 */
export type ModelFamily = 'anthropic' | 'meta' | 'titan-text' | 'nova' | 'mistral' | 'cohere' | 'embedding';

/** A foundation model in the catalog: the FoundationModelSummary fields without the ARN, plus `family`. */
export interface FoundationModel {
  readonly modelId: string;
  readonly modelName: string;
  readonly providerName: string;
  readonly inputModalities: readonly ModelModality[];
  readonly outputModalities: readonly ModelModality[];
  readonly responseStreamingSupported: boolean;
  readonly customizationsSupported: readonly ModelCustomization[];
  readonly inferenceTypesSupported: readonly InferenceType[];
  readonly modelLifecycle: { readonly status: ModelLifecycleStatus };
  readonly family: ModelFamily;
}

/** FoundationModelSummary as ListFoundationModels returns it (and FoundationModelDetails, field for field). */
export interface FoundationModelSummary {
  modelArn: string;
  modelId: string;
  modelName: string;
  providerName: string;
  inputModalities: ModelModality[];
  outputModalities: ModelModality[];
  responseStreamingSupported: boolean;
  customizationsSupported: ModelCustomization[];
  inferenceTypesSupported: InferenceType[];
  modelLifecycle: { status: ModelLifecycleStatus };
}

/** The geography an inference profile ID's prefix names. */
export type ProfileGeography = 'us' | 'eu' | 'apac' | 'global';

/**
 * The destination "Region" of a global profile that stands for every commercial Region: its model ARN
 * has an empty Region (`arn:aws:bedrock:::foundation-model/MODEL`). See {@link profileModelArns}.
 */
export const GLOBAL_DESTINATION = '';

/** A system-defined (cross-Region) inference profile. */
export interface SystemInferenceProfile {
  readonly inferenceProfileId: string;
  readonly inferenceProfileName: string;
  readonly description: string;
  /** The foundation model the profile serves (the ID without the geography prefix). */
  readonly modelId: string;
  readonly geography: ProfileGeography;
  readonly createdAt: string;
  readonly updatedAt: string;
  /**
   * Source Region → the destination Regions a request from there can be routed to, as the profile's
   * table in "Supported Regions and models for inference profiles" gives them. The keys are exactly the
   * Regions the profile is offered in. A global profile maps each source to [GLOBAL_DESTINATION, source],
   * which is what GetInferenceProfile returns as its `models` there.
   */
  readonly routes: Readonly<Record<string, readonly string[]>>;
}

/** InferenceProfileSummary as ListInferenceProfiles returns it (GetInferenceProfile has the same fields). */
export interface InferenceProfileSummary {
  inferenceProfileName: string;
  description: string;
  createdAt: string;
  updatedAt: string;
  inferenceProfileArn: string;
  models: { modelArn: string }[];
  inferenceProfileId: string;
  status: 'ACTIVE';
  type: 'SYSTEM_DEFINED';
}

/** A foundation-model ARN the runtime must authorize, with its Region ('' for the Region-agnostic one). */
export interface ProfileModelArn {
  readonly region: string;
  readonly arn: string;
}

// ---------------------------------------------------------------------------------------------
// Foundation models
// ---------------------------------------------------------------------------------------------

const T: readonly ModelModality[] = ['TEXT'];
const TI: readonly ModelModality[] = ['TEXT', 'IMAGE'];
const TIV: readonly ModelModality[] = ['TEXT', 'IMAGE', 'VIDEO'];
const E: readonly ModelModality[] = ['EMBEDDING'];
const NONE: readonly ModelCustomization[] = [];
const ON_DEMAND: readonly InferenceType[] = ['ON_DEMAND'];
const PROFILE_ONLY: readonly InferenceType[] = ['INFERENCE_PROFILE'];
const BOTH: readonly InferenceType[] = ['ON_DEMAND', 'INFERENCE_PROFILE'];
const PROVISIONED: readonly InferenceType[] = ['PROVISIONED'];
const ACTIVE = { status: 'ACTIVE' } as const;
const LEGACY = { status: 'LEGACY' } as const;

/** Builds a frozen model; `rest` defaults to the common case (streaming, no customization, ACTIVE). */
function fm(
  family: ModelFamily,
  providerName: string,
  modelId: string,
  modelName: string,
  inputModalities: readonly ModelModality[],
  outputModalities: readonly ModelModality[],
  inferenceTypesSupported: readonly InferenceType[],
  rest: {
    streaming?: boolean;
    customizations?: readonly ModelCustomization[];
    lifecycle?: { readonly status: ModelLifecycleStatus };
  } = {},
): FoundationModel {
  return Object.freeze({
    modelId,
    modelName,
    providerName,
    inputModalities: Object.freeze([...inputModalities]),
    outputModalities: Object.freeze([...outputModalities]),
    responseStreamingSupported: rest.streaming ?? true,
    customizationsSupported: Object.freeze([...(rest.customizations ?? NONE)]),
    inferenceTypesSupported: Object.freeze([...inferenceTypesSupported]),
    modelLifecycle: Object.freeze({ status: (rest.lifecycle ?? ACTIVE).status }),
    family,
  });
}

const A = 'Anthropic';
const META = 'Meta';
const AMZ = 'Amazon';
const MIS = 'Mistral AI';
const COH = 'Cohere';

/*
 * Models that only a cross-Region profile can invoke report INFERENCE_PROFILE alone; calling them by
 * model ID fails with "Invocation of model ID … with on-demand throughput isn't supported. Retry your
 * request with the ID or ARN of an inference profile that contains this model."
 * Claude 3.5 Sonnet v1 and v2 are Legacy ("Model lifecycle", Legacy versions).
 */
const MODELS: readonly FoundationModel[] = Object.freeze([
  // Anthropic — Messages API body (anthropic_version "bedrock-2023-05-31").
  fm('anthropic', A, 'anthropic.claude-3-haiku-20240307-v1:0', 'Claude 3 Haiku', TI, T, ON_DEMAND),
  fm('anthropic', A, 'anthropic.claude-3-haiku-20240307-v1:0:200k', 'Claude 3 Haiku', TI, T, PROVISIONED, {
    customizations: ['FINE_TUNING', 'DISTILLATION'],
  }),
  fm('anthropic', A, 'anthropic.claude-3-5-haiku-20241022-v1:0', 'Claude 3.5 Haiku', T, T, PROFILE_ONLY),
  fm('anthropic', A, 'anthropic.claude-3-5-sonnet-20240620-v1:0', 'Claude 3.5 Sonnet', TI, T, ON_DEMAND, {
    lifecycle: LEGACY,
  }),
  fm('anthropic', A, 'anthropic.claude-3-5-sonnet-20241022-v2:0', 'Claude 3.5 Sonnet v2', TI, T, PROFILE_ONLY, {
    lifecycle: LEGACY,
  }),
  fm('anthropic', A, 'anthropic.claude-3-7-sonnet-20250219-v1:0', 'Claude 3.7 Sonnet', TI, T, PROFILE_ONLY),
  fm('anthropic', A, 'anthropic.claude-sonnet-4-20250514-v1:0', 'Claude Sonnet 4', TI, T, PROFILE_ONLY),
  fm('anthropic', A, 'anthropic.claude-opus-4-20250514-v1:0', 'Claude Opus 4', TI, T, PROFILE_ONLY),
  fm('anthropic', A, 'anthropic.claude-opus-4-1-20250805-v1:0', 'Claude Opus 4.1', TI, T, PROFILE_ONLY),
  fm('anthropic', A, 'anthropic.claude-sonnet-4-5-20250929-v1:0', 'Claude Sonnet 4.5', TI, T, PROFILE_ONLY),
  fm('anthropic', A, 'anthropic.claude-haiku-4-5-20251001-v1:0', 'Claude Haiku 4.5', TI, T, PROFILE_ONLY),

  // Meta — `prompt` / `max_gen_len` body.
  fm('meta', META, 'meta.llama3-8b-instruct-v1:0', 'Llama 3 8B Instruct', T, T, ON_DEMAND),
  fm('meta', META, 'meta.llama3-1-8b-instruct-v1:0', 'Llama 3.1 8B Instruct', T, T, PROFILE_ONLY),
  fm('meta', META, 'meta.llama3-1-8b-instruct-v1:0:128k', 'Llama 3.1 8B Instruct', T, T, PROVISIONED, {
    customizations: ['FINE_TUNING', 'DISTILLATION'],
  }),
  fm('meta', META, 'meta.llama3-1-70b-instruct-v1:0', 'Llama 3.1 70B Instruct', T, T, PROFILE_ONLY),
  fm('meta', META, 'meta.llama3-2-1b-instruct-v1:0', 'Llama 3.2 1B Instruct', T, T, PROFILE_ONLY),
  fm('meta', META, 'meta.llama3-2-11b-instruct-v1:0', 'Llama 3.2 11B Instruct', TI, T, PROFILE_ONLY),
  fm('meta', META, 'meta.llama3-3-70b-instruct-v1:0', 'Llama 3.3 70B Instruct', T, T, PROFILE_ONLY),

  // Amazon Titan Text — `inputText` / `textGenerationConfig` body.
  fm('titan-text', AMZ, 'amazon.titan-text-express-v1', 'Titan Text G1 - Express', T, T, ON_DEMAND),
  fm('titan-text', AMZ, 'amazon.titan-text-express-v1:0:8k', 'Titan Text G1 - Express', T, T, PROVISIONED, {
    customizations: ['FINE_TUNING', 'CONTINUED_PRE_TRAINING'],
  }),
  fm('titan-text', AMZ, 'amazon.titan-text-lite-v1', 'Titan Text G1 - Lite', T, T, ON_DEMAND),

  // Amazon Nova — `messages` / `inferenceConfig` body (schemaVersion "messages-v1").
  fm('nova', AMZ, 'amazon.nova-micro-v1:0', 'Nova Micro', T, T, BOTH),
  fm('nova', AMZ, 'amazon.nova-micro-v1:0:128k', 'Nova Micro', T, T, PROVISIONED, {
    customizations: ['FINE_TUNING', 'DISTILLATION'],
  }),
  fm('nova', AMZ, 'amazon.nova-lite-v1:0', 'Nova Lite', TIV, T, BOTH),
  fm('nova', AMZ, 'amazon.nova-pro-v1:0', 'Nova Pro', TIV, T, BOTH),
  fm('nova', AMZ, 'amazon.nova-premier-v1:0', 'Nova Premier', TIV, T, PROFILE_ONLY),

  // Mistral AI — `prompt` / `max_tokens` body ("<s>[INST] … [/INST]").
  fm('mistral', MIS, 'mistral.mistral-7b-instruct-v0:2', 'Mistral 7B Instruct', T, T, ON_DEMAND),
  fm('mistral', MIS, 'mistral.mixtral-8x7b-instruct-v0:1', 'Mixtral 8x7B Instruct', T, T, ON_DEMAND),
  fm('mistral', MIS, 'mistral.mistral-large-2402-v1:0', 'Mistral Large (24.02)', T, T, ON_DEMAND),
  fm('mistral', MIS, 'mistral.mistral-small-2402-v1:0', 'Mistral Small (24.02)', T, T, ON_DEMAND),

  // Cohere Command R — `message` / `chat_history` body.
  fm('cohere', COH, 'cohere.command-r-v1:0', 'Command R', T, T, ON_DEMAND),
  fm('cohere', COH, 'cohere.command-r-plus-v1:0', 'Command R+', T, T, ON_DEMAND),

  // Embeddings: Titan takes `inputText`, Cohere `texts` + `input_type`. Neither streams.
  fm('embedding', AMZ, 'amazon.titan-embed-text-v2:0', 'Titan Text Embeddings V2', T, E, ON_DEMAND, {
    streaming: false,
  }),
  fm('embedding', COH, 'cohere.embed-english-v3', 'Embed English', T, E, ON_DEMAND, { streaming: false }),
  fm('embedding', COH, 'cohere.embed-multilingual-v3', 'Embed Multilingual', T, E, ON_DEMAND, { streaming: false }),
]);

const MODELS_BY_ID: ReadonlyMap<string, FoundationModel> = new Map(MODELS.map((m) => [m.modelId, m]));

// ---------------------------------------------------------------------------------------------
// System-defined inference profiles
// ---------------------------------------------------------------------------------------------

/*
 * Destination sets, in the docs' (alphabetical) order. "If an inference profile is tied to a geography
 * (such as US, EU, or APAC), its destination Region list will never change" ("Supported Regions and
 * models for inference profiles"), so these are stable facts, not a snapshot.
 */
const US2 = ['us-east-1', 'us-west-2'];
const US3 = ['us-east-1', 'us-east-2', 'us-west-2'];
const US3_W1 = ['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2'];
const US3_CA = ['ca-central-1', 'us-east-1', 'us-east-2', 'us-west-2'];
const EU3 = ['eu-central-1', 'eu-west-1', 'eu-west-3'];
const EU4 = ['eu-central-1', 'eu-north-1', 'eu-west-1', 'eu-west-3'];
const EU6 = ['eu-central-1', 'eu-north-1', 'eu-south-1', 'eu-south-2', 'eu-west-1', 'eu-west-3'];
const AP5 = ['ap-northeast-1', 'ap-northeast-2', 'ap-south-1', 'ap-southeast-1', 'ap-southeast-2'];
const AP6 = ['ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-south-1', 'ap-southeast-1', 'ap-southeast-2'];
const AP7 = [
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-south-1',
  'ap-south-2',
  'ap-southeast-1',
  'ap-southeast-2',
];
const AP8 = [...AP7, 'ap-southeast-4'];
const AP9 = [...AP7, 'ap-southeast-3', 'ap-southeast-4'];

/** A route table row group: these source Regions all route to these destinations. */
type RouteRows = readonly (readonly [sources: readonly string[], destinations: readonly string[]])[];

/** A destination set with one more Region (a source that also routes to itself), kept in alphabetical order. */
function plus(extra: string, set: readonly string[]): readonly string[] {
  return [...set, extra].sort();
}

function freezeRoutes(rows: RouteRows): Readonly<Record<string, readonly string[]>> {
  const table: Record<string, readonly string[]> = {};
  for (const [sources, destinations] of rows) {
    for (const source of sources) table[source] = Object.freeze([...destinations]);
  }
  return Object.freeze(table);
}

/** "Commercial AWS Regions<br>SOURCE" in the docs' tables for global profiles. */
function globalRoutes(sources: readonly string[]): RouteRows {
  return sources.map((source) => [[source], [GLOBAL_DESTINATION, source]] as const);
}

/** "a, b and c", as the service writes the Regions in a profile's description. */
function joinRegions(regions: readonly string[]): string {
  if (regions.length <= 1) return regions.join('');
  return `${regions.slice(0, -1).join(', ')} and ${regions[regions.length - 1]}`;
}

const GEOGRAPHY_PREFIX = /^(us|eu|apac|global)\.(.+)$/;
const NAME_PREFIX = /^(?:US|EU|APAC|Global|GLOBAL) /;

function defineProfile(
  inferenceProfileId: string,
  inferenceProfileName: string,
  createdAt: string,
  updatedAt: string,
  rows: RouteRows,
): SystemInferenceProfile {
  const match = GEOGRAPHY_PREFIX.exec(inferenceProfileId);
  if (match === null) throw new Error(`bad inference profile ID ${inferenceProfileId}`);
  const geography = match[1] as ProfileGeography;
  const modelId = match[2] as string;
  const routes = freezeRoutes(rows);
  // The description names the model as the profile's name does, minus the geography word; a
  // geographic profile lists every Region it can route to ("Routes requests to Nova Micro in …").
  const label = inferenceProfileName.replace(NAME_PREFIX, '');
  let description: string;
  if (geography === 'global') {
    description = `Routes requests to ${label} globally across all supported AWS Regions.`;
  } else {
    const all = [...new Set(Object.values(routes).flat())];
    description = `Routes requests to ${label} in ${joinRegions(all)}.`;
  }
  return Object.freeze({
    inferenceProfileId,
    inferenceProfileName,
    description,
    modelId,
    geography,
    createdAt,
    updatedAt,
    routes,
  });
}

/*
 * The profiles for models in this catalog, with their route tables as "Supported Regions and models for
 * inference profiles" lists them. Note that the tables do not keep strictly to the prefix's geography:
 * some `us.` profiles are also offered from ca-central-1, `eu.` ones from il-central-1 and `apac.` ones
 * from me-central-1, each routing to the geography's Regions plus the source itself; the tables are
 * followed as they are. The same page warns that destinations depend on the source ("if you call
 * us.anthropic.claude-3-haiku-20240307-v1:0 from US East (Ohio), it can route requests to us-east-1,
 * us-east-2, or us-west-2, but if you call it from US West (Oregon), it can route requests to only
 * us-east-1 and us-west-2").
 *
 * Dates: those of the US profiles for Claude 3 Haiku, 3.5 Haiku, 3.5 Sonnet (v1, v2), 3.7 Sonnet,
 * Sonnet 4, Opus 4, the Llama 3.x models and Nova Micro/Lite/Pro/Premier, and of APAC Nova Micro, are
 * the ones a real ListInferenceProfiles response carried; the others are plausible constants (the
 * model's launch date).
 */
const US_SOURCES = ['us-east-1', 'us-east-2', 'us-west-2'];
const US_W1 = ['us-west-1'];
const CA = ['ca-central-1'];
const EU_CLAUDE45_ROWS: RouteRows = [
  [EU6, EU6],
  [['eu-central-2'], plus('eu-central-2', EU6)],
  [['eu-west-2'], plus('eu-west-2', EU6)],
];
const EU_NOVA_ROWS: RouteRows = [
  [EU4, EU4],
  [['eu-south-1'], plus('eu-south-1', EU4)],
  [['eu-south-2'], plus('eu-south-2', EU4)],
  [['il-central-1'], [...plus('eu-south-1', EU4), 'il-central-1']],
];
const APAC_NOVA_ROWS: RouteRows = [
  [['ap-east-2'], ['ap-east-2', ...AP9]],
  [['ap-northeast-1', 'ap-northeast-2', 'ap-south-1', 'ap-southeast-1', 'ap-southeast-2'], AP6],
  [['ap-southeast-3'], AP9],
  [['ap-southeast-5'], [...AP9, 'ap-southeast-5']],
  [['ap-southeast-7'], [...AP9, 'ap-southeast-7']],
  [['me-central-1'], [...AP9, 'me-central-1']],
];
const US_CLAUDE45_ROWS: RouteRows = [
  [US_SOURCES, US3],
  [US_W1, US3_W1],
  [CA, US3_CA],
];
const US_WEST1_ROWS: RouteRows = [
  [US_SOURCES, US3],
  [US_W1, US3_W1],
];
const GLOBAL_SONNET_45_SOURCES = [
  'af-south-1',
  ...AP9,
  'ca-central-1',
  'ca-west-1',
  'eu-central-1',
  'eu-central-2',
  'eu-north-1',
  'eu-south-1',
  'eu-south-2',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'il-central-1',
  'me-central-1',
  'sa-east-1',
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
];
const GLOBAL_HAIKU_45_SOURCES = [
  ...GLOBAL_SONNET_45_SOURCES.filter((r) => r !== 'af-south-1' && r !== 'ca-west-1'),
  'me-south-1',
];

const PROFILES: readonly SystemInferenceProfile[] = Object.freeze([
  // US
  defineProfile(
    'us.anthropic.claude-3-haiku-20240307-v1:0',
    'US Anthropic Claude 3 Haiku',
    '2024-09-30T00:00:00.000Z',
    '2024-09-30T00:00:00.000Z',
    [
      [['us-east-1', 'us-west-2'], US2],
      [['us-east-2'], US3],
    ],
  ),
  defineProfile(
    'us.anthropic.claude-3-5-haiku-20241022-v1:0',
    'US Anthropic Claude 3.5 Haiku',
    '2024-12-02T00:00:00.000Z',
    '2024-12-03T03:20:05.434Z',
    [[US_SOURCES, US3]],
  ),
  defineProfile(
    'us.anthropic.claude-3-5-sonnet-20240620-v1:0',
    'US Anthropic Claude 3.5 Sonnet',
    '2024-09-30T00:00:00.000Z',
    '2025-01-30T23:38:35.031Z',
    [[US_SOURCES, US2]],
  ),
  defineProfile(
    'us.anthropic.claude-3-5-sonnet-20241022-v2:0',
    'US Anthropic Claude 3.5 Sonnet v2',
    '2024-12-31T17:11:00.000Z',
    '2025-02-12T22:56:58.018Z',
    [[US_SOURCES, US3]],
  ),
  defineProfile(
    'us.anthropic.claude-3-7-sonnet-20250219-v1:0',
    'US Anthropic Claude 3.7 Sonnet',
    '2025-02-18T00:00:00.000Z',
    '2025-06-23T18:16:24.834Z',
    [[US_SOURCES, US3]],
  ),
  defineProfile(
    'us.anthropic.claude-sonnet-4-20250514-v1:0',
    'US Claude Sonnet 4',
    '2025-05-20T00:00:00.000Z',
    '2025-06-10T16:03:19.530Z',
    US_WEST1_ROWS,
  ),
  defineProfile(
    'us.anthropic.claude-opus-4-20250514-v1:0',
    'US Claude Opus 4',
    '2025-05-12T00:00:00.000Z',
    '2025-05-22T22:21:34.070Z',
    [[US_SOURCES, US3]],
  ),
  defineProfile(
    'us.anthropic.claude-opus-4-1-20250805-v1:0',
    'US Claude Opus 4.1',
    '2025-08-05T00:00:00.000Z',
    '2025-08-05T00:00:00.000Z',
    [[US_SOURCES, US3]],
  ),
  defineProfile(
    'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
    'US Anthropic Claude Sonnet 4.5',
    '2025-09-29T00:00:00.000Z',
    '2025-09-29T00:00:00.000Z',
    US_CLAUDE45_ROWS,
  ),
  defineProfile(
    'us.anthropic.claude-haiku-4-5-20251001-v1:0',
    'US Anthropic Claude Haiku 4.5',
    '2025-10-15T00:00:00.000Z',
    '2025-10-15T00:00:00.000Z',
    US_CLAUDE45_ROWS,
  ),
  defineProfile(
    'us.meta.llama3-1-8b-instruct-v1:0',
    'US Meta Llama 3.1 8B Instruct',
    '2024-11-01T00:00:00.000Z',
    '2024-11-04T18:05:38.433Z',
    [[US_SOURCES, US3]],
  ),
  defineProfile(
    'us.meta.llama3-1-70b-instruct-v1:0',
    'US Meta Llama 3.1 70B Instruct',
    '2024-11-01T00:00:00.000Z',
    '2024-11-04T18:05:51.722Z',
    [[US_SOURCES, US3]],
  ),
  defineProfile(
    'us.meta.llama3-2-1b-instruct-v1:0',
    'US Meta Llama 3.2 1B Instruct',
    '2024-11-01T00:00:00.000Z',
    '2024-11-04T17:49:37.317Z',
    [
      [['us-east-1', 'us-west-2'], US2],
      [['us-east-2'], US3],
    ],
  ),
  defineProfile(
    'us.meta.llama3-2-11b-instruct-v1:0',
    'US Meta Llama 3.2 11B Instruct',
    '2024-11-01T00:00:00.000Z',
    '2024-11-04T17:51:12.585Z',
    [
      [['us-east-1', 'us-west-2'], US2],
      [['us-east-2'], US3],
    ],
  ),
  defineProfile(
    'us.meta.llama3-3-70b-instruct-v1:0',
    'US Meta Llama 3.3 70B Instruct',
    '2024-12-14T19:17:00.000Z',
    '2024-12-19T19:55:55.413Z',
    [[US_SOURCES, US3]],
  ),
  defineProfile('us.amazon.nova-micro-v1:0', 'US Nova Micro', '2024-11-29T13:23:00.000Z', '2024-11-29T13:23:00.000Z', [
    [US_SOURCES, US3],
  ]),
  defineProfile(
    'us.amazon.nova-lite-v1:0',
    'US Nova Lite',
    '2024-11-29T13:23:00.000Z',
    '2024-11-29T13:23:00.000Z',
    US_WEST1_ROWS,
  ),
  defineProfile(
    'us.amazon.nova-pro-v1:0',
    'US Nova Pro',
    '2024-11-29T13:23:00.000Z',
    '2024-11-29T13:23:00.000Z',
    US_WEST1_ROWS,
  ),
  defineProfile(
    'us.amazon.nova-premier-v1:0',
    'US Nova Premier',
    '2025-03-23T00:00:00.000Z',
    '2025-05-01T01:16:36.874Z',
    [[US_SOURCES, US3]],
  ),

  // EU
  defineProfile(
    'eu.anthropic.claude-3-haiku-20240307-v1:0',
    'EU Anthropic Claude 3 Haiku',
    '2024-08-27T00:00:00.000Z',
    '2024-08-27T00:00:00.000Z',
    [[EU3, EU3]],
  ),
  defineProfile(
    'eu.anthropic.claude-3-5-sonnet-20240620-v1:0',
    'EU Anthropic Claude 3.5 Sonnet',
    '2024-08-27T00:00:00.000Z',
    '2024-08-27T00:00:00.000Z',
    [[EU3, EU3]],
  ),
  defineProfile(
    'eu.anthropic.claude-3-7-sonnet-20250219-v1:0',
    'EU Anthropic Claude 3.7 Sonnet',
    '2025-02-24T00:00:00.000Z',
    '2025-02-24T00:00:00.000Z',
    [[EU4, EU4]],
  ),
  defineProfile(
    'eu.anthropic.claude-sonnet-4-20250514-v1:0',
    'EU Claude Sonnet 4',
    '2025-05-22T00:00:00.000Z',
    '2025-05-22T00:00:00.000Z',
    [
      [EU6, EU6],
      [['il-central-1'], [...EU6, 'il-central-1']],
    ],
  ),
  defineProfile(
    'eu.anthropic.claude-sonnet-4-5-20250929-v1:0',
    'EU Anthropic Claude Sonnet 4.5',
    '2025-09-29T00:00:00.000Z',
    '2025-09-29T00:00:00.000Z',
    EU_CLAUDE45_ROWS,
  ),
  defineProfile(
    'eu.anthropic.claude-haiku-4-5-20251001-v1:0',
    'EU Anthropic Claude Haiku 4.5',
    '2025-10-15T00:00:00.000Z',
    '2025-10-15T00:00:00.000Z',
    EU_CLAUDE45_ROWS,
  ),
  defineProfile(
    'eu.meta.llama3-2-1b-instruct-v1:0',
    'EU Meta Llama 3.2 1B Instruct',
    '2024-09-25T00:00:00.000Z',
    '2024-09-25T00:00:00.000Z',
    [[EU3, EU3]],
  ),
  defineProfile(
    'eu.amazon.nova-micro-v1:0',
    'EU Nova Micro',
    '2024-12-03T00:00:00.000Z',
    '2024-12-03T00:00:00.000Z',
    EU_NOVA_ROWS,
  ),
  defineProfile(
    'eu.amazon.nova-lite-v1:0',
    'EU Nova Lite',
    '2024-12-03T00:00:00.000Z',
    '2024-12-03T00:00:00.000Z',
    EU_NOVA_ROWS,
  ),
  defineProfile(
    'eu.amazon.nova-pro-v1:0',
    'EU Nova Pro',
    '2024-12-03T00:00:00.000Z',
    '2024-12-03T00:00:00.000Z',
    EU_NOVA_ROWS,
  ),

  // APAC
  defineProfile(
    'apac.anthropic.claude-3-haiku-20240307-v1:0',
    'APAC Anthropic Claude 3 Haiku',
    '2024-09-05T00:00:00.000Z',
    '2024-09-05T00:00:00.000Z',
    [[AP5, AP5]],
  ),
  defineProfile(
    'apac.anthropic.claude-3-5-sonnet-20240620-v1:0',
    'APAC Anthropic Claude 3.5 Sonnet',
    '2024-09-05T00:00:00.000Z',
    '2024-09-05T00:00:00.000Z',
    [[AP5, AP5]],
  ),
  defineProfile(
    'apac.anthropic.claude-3-5-sonnet-20241022-v2:0',
    'APAC Anthropic Claude 3.5 Sonnet v2',
    '2025-01-22T00:00:00.000Z',
    '2025-01-22T00:00:00.000Z',
    [
      [AP6, AP6],
      [['ap-south-2'], AP7],
    ],
  ),
  defineProfile(
    'apac.anthropic.claude-3-7-sonnet-20250219-v1:0',
    'APAC Anthropic Claude 3.7 Sonnet',
    '2025-03-13T00:00:00.000Z',
    '2025-03-13T00:00:00.000Z',
    [[AP7, AP7]],
  ),
  defineProfile(
    'apac.anthropic.claude-sonnet-4-20250514-v1:0',
    'APAC Claude Sonnet 4',
    '2025-05-22T00:00:00.000Z',
    '2025-05-22T00:00:00.000Z',
    [
      [['ap-east-2'], ['ap-east-2', ...AP9]],
      [AP8, AP8],
      [['ap-southeast-3'], AP9],
      [['ap-southeast-5'], [...AP9, 'ap-southeast-5']],
      [['ap-southeast-7'], [...AP9, 'ap-southeast-7']],
      [['me-central-1'], [...AP9, 'me-central-1']],
    ],
  ),
  defineProfile(
    'apac.amazon.nova-micro-v1:0',
    'APAC Nova Micro',
    '2025-02-22T10:00:00.000Z',
    '2025-07-02T19:54:59.078Z',
    APAC_NOVA_ROWS,
  ),
  defineProfile(
    'apac.amazon.nova-lite-v1:0',
    'APAC Nova Lite',
    '2025-02-22T10:00:00.000Z',
    '2025-02-22T10:00:00.000Z',
    [...APAC_NOVA_ROWS, [['ap-southeast-4'], AP8]],
  ),
  defineProfile('apac.amazon.nova-pro-v1:0', 'APAC Nova Pro', '2025-02-22T10:00:00.000Z', '2025-02-22T10:00:00.000Z', [
    ...APAC_NOVA_ROWS,
    [['ap-southeast-4'], AP8],
  ]),

  // Global. "The Global cross-Region inference profile is currently only supported on Anthropic Claude
  // Sonnet 4 model for the following source Regions: US West (Oregon), US East (N. Virginia), US East
  // (Ohio), Europe (Ireland), and Asia Pacific (Tokyo)." Later global profiles list their own sources.
  defineProfile(
    'global.anthropic.claude-sonnet-4-20250514-v1:0',
    'Global Claude Sonnet 4',
    '2025-08-29T00:00:00.000Z',
    '2025-08-29T00:00:00.000Z',
    globalRoutes(['ap-northeast-1', 'eu-west-1', 'us-east-1', 'us-east-2', 'us-west-2']),
  ),
  defineProfile(
    'global.anthropic.claude-sonnet-4-5-20250929-v1:0',
    'Global Claude Sonnet 4.5',
    '2025-09-29T00:00:00.000Z',
    '2025-09-29T00:00:00.000Z',
    globalRoutes(GLOBAL_SONNET_45_SOURCES),
  ),
  defineProfile(
    'global.anthropic.claude-haiku-4-5-20251001-v1:0',
    'Global Anthropic Claude Haiku 4.5',
    '2025-10-15T00:00:00.000Z',
    '2025-10-15T00:00:00.000Z',
    globalRoutes(GLOBAL_HAIKU_45_SOURCES),
  ),
]);

const PROFILES_BY_ID: ReadonlyMap<string, SystemInferenceProfile> = new Map(
  PROFILES.map((p) => [p.inferenceProfileId, p]),
);

/** The destinations of `profile` from `sourceRegion`, or undefined when it is not offered there. */
function destinationsFrom(profile: SystemInferenceProfile, sourceRegion: string): readonly string[] | undefined {
  return Object.hasOwn(profile.routes, sourceRegion) ? profile.routes[sourceRegion] : undefined;
}

// ---------------------------------------------------------------------------------------------
// Lookups
// ---------------------------------------------------------------------------------------------

/**
 * Every foundation model in the catalog, in a fixed order (by provider, then release). The array and
 * its models are frozen. The set is the same for every Region: Bedrock's per-Region availability is
 * not modelled, and per-Region differences in inferenceTypesSupported are resolved to us-east-1's.
 */
export function listFoundationModels(): readonly FoundationModel[] {
  return MODELS;
}

/**
 * The model with exactly this ID, or undefined. Bedrock matches model IDs exactly: the version suffix
 * (`:0`) and the context-length suffix (`:0:200k`) are part of the ID, and a different suffix names a
 * different model (or none), so no normalization is done here.
 */
export function findFoundationModel(modelId: string): FoundationModel | undefined {
  return MODELS_BY_ID.get(modelId);
}

/**
 * The ARN of a foundation model: `arn:aws:bedrock:REGION::foundation-model/MODEL_ID`, with no account,
 * since foundation models belong to no account ("Actions, resources, and condition keys for Amazon
 * Bedrock", resource type foundation-model). An empty `region` gives the Region-agnostic ARN
 * `arn:aws:bedrock:::foundation-model/MODEL_ID` that global inference profiles are authorized against.
 */
export function foundationModelArn(region: string, modelId: string): string {
  return `arn:aws:bedrock:${region}::foundation-model/${modelId}`;
}

/**
 * The system-defined inference profiles ListInferenceProfiles(typeEquals=SYSTEM_DEFINED) returns when
 * called in `sourceRegion`: those whose route table (from "Supported Regions and models for inference
 * profiles") has `sourceRegion` as a source. A Region with none (or an unknown Region) gives an empty list.
 */
export function systemInferenceProfiles(sourceRegion: string): readonly SystemInferenceProfile[] {
  return Object.freeze(PROFILES.filter((p) => destinationsFrom(p, sourceRegion) !== undefined));
}

/**
 * The system-defined profile with this exact ID as seen from `sourceRegion`, or undefined when there is
 * no such profile or it is not offered there: a `us.` profile is found from us-east-1 but not from
 * eu-west-1, just as GetInferenceProfile there fails with ResourceNotFoundException and InvokeModel with
 * "The provided model identifier is invalid."
 */
export function findSystemInferenceProfile(
  profileId: string,
  sourceRegion: string,
): SystemInferenceProfile | undefined {
  const found = PROFILES_BY_ID.get(profileId);
  return found !== undefined && destinationsFrom(found, sourceRegion) !== undefined ? found : undefined;
}

/**
 * The ARN of an inference profile as seen from `region` by `accountId`:
 * `arn:aws:bedrock:REGION:ACCOUNT:inference-profile/PROFILE_ID`. A system-defined profile has one ARN per
 * calling account and Region, though AWS defines it ("Actions, resources, and condition keys for Amazon
 * Bedrock", resource type inference-profile).
 */
export function inferenceProfileArn(region: string, accountId: string, profileId: string): string {
  return `arn:aws:bedrock:${region}:${accountId}:inference-profile/${profileId}`;
}

/**
 * The foundation-model ARNs, besides the profile's own ARN, that the caller's policies must allow for an
 * invocation through `profile` from `sourceRegion`; empty when the profile is not offered there.
 *
 * Geographic profiles (`us.`, `eu.`, `apac.`): the model in every destination Region of the route from
 * `sourceRegion`. "If any destination Region in a cross-Region inference profile is blocked … the request
 * will fail even if other Regions remain allowed", and the IAM policy has to allow the inference actions
 * "in all destination Regions included in your chosen inference profile" ("Supported Regions and models
 * for inference profiles").
 *
 * Global profiles: the model in the source Region and the Region-agnostic model ARN, region ''. "Global
 * Cross-Region inference" ("IAM policy requirements for global cross-Region inference") asks for three
 * resources: "The Regional inference profile ARN …, The Regional FM uses
 * arn:aws:bedrock:REGION::foundation-model/MODEL-NAME … to grant access to the FM in the source AWS
 * Region. The global FM requires arn:aws:bedrock:::foundation-model/MODEL-NAME … to grant access to the FM
 * in different global AWS Regions. The global FM ARN has no AWS Region or account specified, which is
 * intentional and required for the cross-Region functionality." And: "Amazon Bedrock evaluates
 * authorization for the inference profile resource, the foundation model in the source Region, and the
 * Region-agnostic global foundation model ARN …, for which aws:RequestedRegion is unspecified. The
 * bedrock:InferenceProfileArn condition key is populated for the foundation model resource evaluations,
 * but not for the inference profile resource evaluation." So the runtime should evaluate the '' entry
 * with aws:RequestedRegion = "unspecified", and both entries with bedrock:InferenceProfileArn set.
 */
export function profileModelArns(profile: SystemInferenceProfile, sourceRegion: string): readonly ProfileModelArn[] {
  const destinations = destinationsFrom(profile, sourceRegion);
  if (destinations === undefined) return Object.freeze([]);
  // The source Region first (it is the Regional FM); then the others in table order.
  const ordered =
    profile.geography === 'global'
      ? [...destinations.filter((r) => r !== GLOBAL_DESTINATION), GLOBAL_DESTINATION]
      : destinations;
  return Object.freeze(
    ordered.map((region) => Object.freeze({ region, arn: foundationModelArn(region, profile.modelId) })),
  );
}

/**
 * The FoundationModelSummary ListFoundationModels returns for `model` in `region` (GetFoundationModel's
 * modelDetails has the same fields). Our `family` field is left out; the arrays are fresh copies, so the
 * result may be serialized or changed freely.
 */
export function foundationModelSummary(model: FoundationModel, region: string): FoundationModelSummary {
  return {
    modelArn: foundationModelArn(region, model.modelId),
    modelId: model.modelId,
    modelName: model.modelName,
    providerName: model.providerName,
    inputModalities: [...model.inputModalities],
    outputModalities: [...model.outputModalities],
    responseStreamingSupported: model.responseStreamingSupported,
    customizationsSupported: [...model.customizationsSupported],
    inferenceTypesSupported: [...model.inferenceTypesSupported],
    modelLifecycle: { status: model.modelLifecycle.status },
  };
}

/**
 * The InferenceProfileSummary that ListInferenceProfiles (and, field for field, GetInferenceProfile)
 * returns for `profile` when `accountId` calls in `region`. `models` has one model ARN per destination
 * Region of the route from `region`, which is how "Supported Regions and models for inference profiles"
 * says to read the destinations; for a global profile that is the Region-agnostic ARN followed by the
 * source Region's, as the service returns them. Throws a RangeError when the profile is not offered in
 * `region` (check with findSystemInferenceProfile first): there is no such summary to give.
 */
export function inferenceProfileSummary(
  profile: SystemInferenceProfile,
  region: string,
  accountId: string,
): InferenceProfileSummary {
  const destinations = destinationsFrom(profile, region);
  if (destinations === undefined) {
    throw new RangeError(`inference profile ${profile.inferenceProfileId} is not offered in ${region}`);
  }
  return {
    inferenceProfileName: profile.inferenceProfileName,
    description: profile.description,
    createdAt: profile.createdAt,
    updatedAt: profile.updatedAt,
    inferenceProfileArn: inferenceProfileArn(region, accountId, profile.inferenceProfileId),
    models: destinations.map((destination) => ({ modelArn: foundationModelArn(destination, profile.modelId) })),
    inferenceProfileId: profile.inferenceProfileId,
    status: 'ACTIVE',
    type: 'SYSTEM_DEFINED',
  };
}
