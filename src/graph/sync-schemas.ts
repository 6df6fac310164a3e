/**
 * The synchronization API's wire types as TypeBox schemas: one definition
 * validates request bodies, documents them in the OpenAPI document and
 * gives the TypeScript types. Property names, casing and enum members are
 * exactly Graph's (shared/reference/graph-sync-api.md §4–5).
 */
import { Type } from '@sinclair/typebox';
import type { Static, TSchema, TObject, TProperties } from '@sinclair/typebox';

/** A Graph object: unknown properties are refused, `@odata.*` annotations allowed. */
export function GraphObject<T extends TProperties>(props: T, opts: { id?: string } = {}): TObject<T> {
  return Type.Object(props, {
    additionalProperties: false,
    patternProperties: { '^@odata\\.': {} },
    ...(opts.id ? { $id: opts.id } : {}),
  });
}

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Opt = <T extends TSchema>(t: T) => Type.Optional(Nullable(t));
const Enum = <const T extends readonly string[]>(values: T) => Type.Union(values.map((v) => Type.Literal(v)));

export const ATTRIBUTE_TYPES = ['String', 'Integer', 'Reference', 'Binary', 'Boolean', 'DateTime'] as const;
export const MUTABILITY = ['ReadWrite', 'ReadOnly', 'Immutable', 'WriteOnly'] as const;
export const FLOW_BEHAVIORS = ['FlowWhenChanged', 'FlowAlways'] as const;
export const FLOW_TYPES = ['Always', 'ObjectAddOnly', 'MultiValueAddOnly', 'ValueAddOnly', 'AttributeAddOnly'] as const;
export const SOURCE_TYPES = ['Attribute', 'Constant', 'Function'] as const;
export const STATUS_CODES = ['NotConfigured', 'NotRun', 'Active', 'Paused', 'Quarantine'] as const;
export const SCHEDULE_STATES = ['Active', 'Disabled', 'Paused'] as const;
export const RESTART_SCOPE_FLAGS = ['None', 'ConnectorDataStore', 'Escrows', 'Watermark', 'QuarantineState', 'Full', 'ForceDeletes'] as const;
export const QUARANTINE_REASONS = [
  'EncounteredBaseEscrowThreshold', 'EncounteredTotalEscrowThreshold', 'EncounteredEscrowProportionThreshold',
  'EncounteredQuarantineException', 'Unknown', 'QuarantinedOnDemand', 'TooManyDeletes', 'IngestionInterrupted',
] as const;
export const SYNCHRONIZATION_SECRETS = [
  'None', 'UserName', 'Password', 'SecretToken', 'AppKey', 'BaseAddress', 'ClientIdentifier', 'ClientSecret',
  'SingleSignOnType', 'Sandbox', 'Url', 'Domain', 'ConsumerKey', 'ConsumerSecret', 'TokenKey', 'TokenExpiration',
  'Oauth2AccessToken', 'Oauth2AccessTokenCreationTime', 'Oauth2RefreshToken', 'SyncAll', 'InstanceName',
  'Oauth2ClientId', 'Oauth2ClientSecret', 'CompanyId', 'UpdateKeyOnSoftDelete', 'SynchronizationSchedule',
  'SystemOfRecord', 'SandboxName', 'EnforceDomain', 'SyncNotificationSettings', 'SkipOutOfScopeDeletions',
  'Oauth2AuthorizationCode', 'Oauth2RedirectUri', 'ApplicationTemplateIdentifier', 'Oauth2TokenExchangeUri',
  'Oauth2AuthorizationUri', 'AuthenticationType', 'Server', 'PerformInboundEntitlementGrants', 'HardDeletesEnabled',
  'SyncAgentCompatibilityKey', 'SyncAgentADContainer', 'ValidateDomain', 'TestReferences', 'ConnectionString',
] as const;
export type SecretName = (typeof SYNCHRONIZATION_SECRETS)[number];

export const StringKeyStringValuePair = GraphObject({ key: Opt(Type.String()), value: Opt(Type.String()) });
export const KeyValuePair = GraphObject({ name: Type.String(), value: Opt(Type.String()) });
const MetadataEntry = GraphObject({ key: Opt(Type.String()), value: Opt(Type.String()) });

export const ReferencedObject = GraphObject({
  referencedObjectName: Opt(Type.String()),
  referencedProperty: Opt(Type.String()),
});

export const AttributeDefinition = GraphObject({
  anchor: Type.Optional(Type.Boolean()),
  apiExpressions: Opt(Type.Array(StringKeyStringValuePair)),
  caseExact: Type.Optional(Type.Boolean()),
  defaultValue: Opt(Type.String()),
  flowNullValues: Type.Optional(Type.Boolean()),
  metadata: Opt(Type.Array(MetadataEntry)),
  multivalued: Type.Optional(Type.Boolean()),
  mutability: Type.Optional(Enum(MUTABILITY)),
  name: Type.String({ minLength: 1 }),
  referencedObjects: Opt(Type.Array(ReferencedObject)),
  required: Type.Optional(Type.Boolean()),
  type: Type.Optional(Enum(ATTRIBUTE_TYPES)),
});

export const ObjectDefinition = GraphObject({
  attributes: Opt(Type.Array(AttributeDefinition)),
  metadata: Opt(Type.Array(MetadataEntry)),
  name: Type.String({ minLength: 1 }),
  supportedApis: Opt(Type.Array(Type.String())),
});

export const DirectoryDefinition = GraphObject({
  id: Opt(Type.String()),
  discoverabilities: Type.Optional(Type.String()),
  discoveryDateTime: Opt(Type.String()),
  name: Type.String({ minLength: 1 }),
  objects: Opt(Type.Array(ObjectDefinition)),
  readOnly: Type.Optional(Type.Boolean()),
  version: Opt(Type.String()),
});

export interface AttributeMappingSourceT {
  expression?: string | null;
  name?: string | null;
  parameters?: { key?: string | null; value?: AttributeMappingSourceT | null }[] | null;
  type?: 'Attribute' | 'Constant' | 'Function';
}

export const AttributeMappingSource = Type.Recursive(
  (Self) =>
    GraphObject({
      expression: Opt(Type.String()),
      name: Opt(Type.String()),
      parameters: Opt(Type.Array(GraphObject({ key: Opt(Type.String()), value: Opt(Self) }))),
      type: Type.Optional(Enum(SOURCE_TYPES)),
    }),
  { $id: 'attributeMappingSource' },
);

/**
 * Where a schema embeds the recursive source type it refers to it by id;
 * the HTTP app registers `AttributeMappingSource` once (ajv refuses one id
 * defined in several places of a body schema).
 */
export const AttributeMappingSourceRef = Type.Unsafe<AttributeMappingSourceT>(Type.Ref('attributeMappingSource'));

export const AttributeMapping = GraphObject({
  defaultValue: Opt(Type.String()),
  exportMissingReferences: Type.Optional(Type.Boolean()),
  flowBehavior: Type.Optional(Enum(FLOW_BEHAVIORS)),
  flowType: Type.Optional(Enum(FLOW_TYPES)),
  matchingPriority: Type.Optional(Type.Integer({ minimum: 0 })),
  source: Opt(AttributeMappingSourceRef),
  targetAttributeName: Type.String({ minLength: 1 }),
});

export const FilterClause = GraphObject({
  operatorName: Type.String({ minLength: 1 }),
  sourceOperandName: Type.String({ minLength: 1 }),
  targetOperand: Opt(GraphObject({ values: Opt(Type.Array(Type.String())) })),
});
export const FilterGroup = GraphObject({ clauses: Opt(Type.Array(FilterClause)), name: Opt(Type.String()) });
export const Filter = GraphObject({
  categoryFilterGroups: Opt(Type.Array(FilterGroup)),
  groups: Opt(Type.Array(FilterGroup)),
  inputFilterGroups: Opt(Type.Array(FilterGroup)),
});

export const ObjectMapping = GraphObject({
  attributeMappings: Opt(Type.Array(AttributeMapping)),
  enabled: Type.Optional(Type.Boolean()),
  flowTypes: Type.Optional(Type.String()),
  metadata: Opt(Type.Array(MetadataEntry)),
  name: Opt(Type.String()),
  scope: Opt(Filter),
  sourceObjectName: Type.String({ minLength: 1 }),
  targetObjectName: Type.String({ minLength: 1 }),
});

export const SynchronizationRule = GraphObject({
  containerFilter: Opt(GraphObject({ includedContainers: Opt(Type.Array(Type.String())) })),
  editable: Type.Optional(Type.Boolean()),
  groupFilter: Opt(GraphObject({ includedGroups: Opt(Type.Array(Type.String())) })),
  id: Opt(Type.String()),
  metadata: Opt(Type.Array(StringKeyStringValuePair)),
  name: Opt(Type.String()),
  objectMappings: Opt(Type.Array(ObjectMapping)),
  priority: Type.Optional(Type.Integer()),
  sourceDirectoryName: Type.String({ minLength: 1 }),
  targetDirectoryName: Type.String({ minLength: 1 }),
});

export const SynchronizationSchema = GraphObject({
  id: Opt(Type.String()),
  version: Opt(Type.String()),
  directories: Opt(Type.Array(DirectoryDefinition)),
  synchronizationRules: Opt(Type.Array(SynchronizationRule)),
});

export const SynchronizationSchedule = GraphObject({
  expiration: Opt(Type.String()),
  interval: Type.Optional(Type.String()),
  state: Type.Optional(Enum(SCHEDULE_STATES)),
});

export const SecretPair = GraphObject({ key: Type.String(), value: Opt(Type.String()) });
export const SecretsBody = GraphObject({ value: Type.Array(SecretPair) });
export const AcquireAccessTokenBody = GraphObject({ credentials: Opt(Type.Array(SecretPair)) });

/** POST …/jobs. Read-only members (status) are refused; `id` is ignored as Graph does. */
export const JobCreateBody = GraphObject({
  id: Opt(Type.String()),
  templateId: Type.String({ minLength: 1 }),
  schedule: Opt(SynchronizationSchedule),
  synchronizationJobSettings: Opt(Type.Array(KeyValuePair)),
  schema: Opt(SynchronizationSchema),
});

export const RestartBody = GraphObject({
  criteria: Opt(GraphObject({ resetScope: Opt(Type.String()) })),
});

const JobSubjectMembers = { objectId: Opt(Type.String()), objectTypeName: Opt(Type.String()) };
/** synchronizationJobSubject; linked subjects carry no links of their own. */
export const SynchronizationJobSubject = GraphObject({
  ...JobSubjectMembers,
  links: Opt(GraphObject({
    manager: Opt(GraphObject(JobSubjectMembers)),
    members: Opt(Type.Array(GraphObject(JobSubjectMembers))),
    owners: Opt(Type.Array(GraphObject(JobSubjectMembers))),
  })),
});

/** POST …/jobs/{id}/provisionOnDemand: `parameters` (synchronizationJobApplicationParameters[]). */
export const ProvisionOnDemandBody = GraphObject({
  parameters: Type.Array(GraphObject({
    ruleId: Opt(Type.String()),
    subjects: Opt(Type.Array(SynchronizationJobSubject)),
  })),
});

/** POST …/jobs/{id}/validateCredentials and …/jobs/validateCredentials. */
export const ValidateCredentialsBody = GraphObject({
  applicationIdentifier: Opt(Type.String()),
  templateId: Opt(Type.String()),
  useSavedCredentials: Opt(Type.Boolean()),
  credentials: Opt(Type.Array(SecretPair)),
});

export const MetadataEntryT = MetadataEntry;

export const TemplateBody = GraphObject({
  id: Opt(Type.String()),
  applicationId: Opt(Type.String()),
  default: Type.Optional(Type.Boolean()),
  description: Opt(Type.String()),
  discoverable: Type.Optional(Type.Boolean()),
  factoryTag: Opt(Type.String()),
  metadata: Opt(Type.Array(MetadataEntry)),
  schema: Opt(SynchronizationSchema),
});

/** PUT …/synchronization: the whole navigation property. */
export const SynchronizationBody = GraphObject({
  id: Opt(Type.String()),
  secrets: Opt(Type.Array(SecretPair)),
  jobs: Opt(Type.Array(GraphObject({
    id: Opt(Type.String()),
    templateId: Opt(Type.String()),
    schedule: Opt(SynchronizationSchedule),
    synchronizationJobSettings: Opt(Type.Array(KeyValuePair)),
    schema: Opt(SynchronizationSchema),
    status: Opt(Type.Object({}, { additionalProperties: true })),
  }))),
  templates: Opt(Type.Array(TemplateBody)),
});

export type SynchronizationSchemaT = Static<typeof SynchronizationSchema>;
export type DirectoryDefinitionT = Static<typeof DirectoryDefinition>;
export type ObjectDefinitionT = Static<typeof ObjectDefinition>;
export type AttributeDefinitionT = Static<typeof AttributeDefinition>;
export type SynchronizationRuleT = Static<typeof SynchronizationRule>;
export type ObjectMappingT = Static<typeof ObjectMapping>;
export type AttributeMappingT = Static<typeof AttributeMapping>;
export type FilterT = Static<typeof Filter>;
export type ScheduleT = Static<typeof SynchronizationSchedule>;
export type KeyValuePairT = Static<typeof KeyValuePair>;
export type JobCreateBodyT = Static<typeof JobCreateBody>;
export type TemplateBodyT = Static<typeof TemplateBody>;
export type SynchronizationBodyT = Static<typeof SynchronizationBody>;

export interface SynchronizationErrorT {
  code: string | null;
  message: string | null;
  tenantActionable: boolean;
}

export interface TaskExecutionT {
  activityIdentifier: string | null;
  countEntitled: number;
  countEntitledForProvisioning: number;
  countEscrowed: number;
  countEscrowedRaw: number;
  countExported: number;
  countExports: number;
  countImported: number;
  countImportedDeltas: number;
  countImportedReferenceDeltas: number;
  error: SynchronizationErrorT | null;
  state: 'Succeeded' | 'Failed' | 'EntryLevelErrors';
  timeBegan: string;
  timeEnded: string;
}

export interface QuarantineT {
  currentBegan: string;
  nextAttempt: string;
  reason: (typeof QUARANTINE_REASONS)[number];
  seriesBegan: string;
  seriesCount: number;
  error: SynchronizationErrorT | null;
}

export interface ProgressT {
  completedUnits: number;
  totalUnits: number;
  units: string | null;
  progressObservationDateTime: string;
}

export interface SynchronizationStatusT {
  code: (typeof STATUS_CODES)[number];
  countSuccessiveCompleteFailures: number;
  escrowsPruned: boolean;
  lastExecution: TaskExecutionT | null;
  lastSuccessfulExecution: TaskExecutionT | null;
  lastSuccessfulExecutionWithExports: TaskExecutionT | null;
  progress: ProgressT[];
  quarantine: QuarantineT | null;
  steadyStateFirstAchievedTime: string;
  steadyStateLastAchievedTime: string;
  synchronizedEntryCountByType: { key: string; value: number }[];
  troubleshootingUrl: string | null;
}

export interface SynchronizationScheduleT {
  expiration: string | null;
  interval: string;
  state: (typeof SCHEDULE_STATES)[number];
}

export interface SynchronizationJobT {
  id: string;
  templateId: string;
  schedule: SynchronizationScheduleT;
  status: SynchronizationStatusT;
  synchronizationJobSettings: KeyValuePairT[];
}

export interface SynchronizationTemplateT {
  id: string;
  applicationId: string;
  default: boolean;
  description: string | null;
  discoverable: boolean;
  factoryTag: string | null;
  metadata: { key: string | null; value: string | null }[];
  schema?: SynchronizationSchemaT;
}
