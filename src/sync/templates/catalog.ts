/**
 * The built-in catalog: synchronization factories (what a
 * `synchronizationTemplate.factoryTag` names: the default schema, job
 * settings and schedule of a kind of job) and the gallery of application
 * templates (`GET /v1.0/applicationTemplates`) that say which factories an
 * instantiated application gets.
 *
 * Factories are frozen; every schema, metadata list, settings list and
 * gallery entry they hand out is a fresh copy the caller owns.
 */
import type { SynchronizationTemplateT } from '../../graph/sync-schemas.ts';
import type { GalleryApplicationTemplate, TemplateCatalog, TemplateFactory } from './port.ts';

export type { GalleryApplicationTemplate, TemplateCatalog, TemplateFactory } from './port.ts';
import { scimDefaultSchema } from './scim.ts';
import { AD2AAD_FACTORY_TAG, API2AAD_FACTORY_TAG, ABSENT_ACTIVE_SETTING, ad2aadDefaultSchema, api2aadDefaultSchema } from './inbound.ts';


/** Entra's template id for non-gallery ("create your own") applications. */
export const NON_GALLERY_APPLICATION_TEMPLATE_ID = '8adf8e6e-67b2-4cf2-a259-e3dc5476c621';

/** Factory tag (and template id) of the outbound SCIM 2.0 job. */
export const SCIM_FACTORY_TAG = 'scim';

/** Entra runs incremental cycles every 40 minutes (entra-behavior.md §2.4). */
export const DEFAULT_SCHEDULE_INTERVAL = 'PT40M';

const scimFactory: TemplateFactory = Object.freeze({
  factoryTag: SCIM_FACTORY_TAG,
  templateId: SCIM_FACTORY_TAG,
  description: 'Provision users and groups from Azure Active Directory to a SCIM 2.0 service provider.',
  get metadata() {
    return [
      { key: 'GalleryApplicationIdentifier', value: NON_GALLERY_APPLICATION_TEMPLATE_ID },
      // "same value as factoryTag" (synchronizationMetadata docs).
      { key: 'GalleryApplicationKey', value: SCIM_FACTORY_TAG },
      { key: 'IsOAuthEnabled', value: 'false' },
      // The portal's connection fields: Tenant URL and Secret Token.
      { key: 'ConfigurationFields', value: JSON.stringify([{ name: 'BaseAddress' }, { name: 'SecretToken', secret: true }]) },
    ];
  },
  get jobSettings() {
    return [
      // Accidental-deletion threshold (entra-behavior.md §1.1, §4.1).
      { name: 'QuarantineTooManyDeletesThreshold', value: '500' },
      { name: 'AzureIngestionAttributeOptimization', value: 'False' },
    ];
  },
  defaultInterval: DEFAULT_SCHEDULE_INTERVAL,
  defaultSchema: scimDefaultSchema,
});

/**
 * API-driven inbound provisioning to the directory (inbound-and-console.md §1).
 * Job ids are `API2AAD.<tenant>.<guid>` (G-BULK). Uploads are processed
 * within seconds of arriving; the interval is when the job also runs
 * without uploads (pending manager references, Entra's cadence).
 */
const api2aadFactory: TemplateFactory = Object.freeze({
  factoryTag: API2AAD_FACTORY_TAG,
  templateId: API2AAD_FACTORY_TAG,
  description: 'API-driven inbound provisioning: SCIM bulk uploads of users into the directory.',
  get metadata() {
    return [
      { key: 'GalleryApplicationIdentifier', value: API2AAD_APPLICATION_TEMPLATE_ID },
      { key: 'GalleryApplicationKey', value: API2AAD_FACTORY_TAG },
      { key: 'IsOAuthEnabled', value: 'false' },
      { key: 'ConfigurationFields', value: JSON.stringify([]) },
    ];
  },
  get jobSettings() {
    return [
      { name: 'QuarantineTooManyDeletesThreshold', value: '500' },
      { name: ABSENT_ACTIVE_SETTING, value: 'False' },
    ];
  },
  defaultInterval: DEFAULT_SCHEDULE_INTERVAL,
  defaultSchema: api2aadDefaultSchema,
});

/** AD/LDAP → directory, Entra Cloud Sync style (ibid. §2); every 2 minutes as Cloud Sync does (CS-HOW). */
const ad2aadFactory: TemplateFactory = Object.freeze({
  factoryTag: AD2AAD_FACTORY_TAG,
  templateId: AD2AAD_FACTORY_TAG,
  description: 'Provision users from Active Directory or an LDAP directory into the directory.',
  get metadata() {
    return [
      { key: 'GalleryApplicationIdentifier', value: AD2AAD_APPLICATION_TEMPLATE_ID },
      { key: 'GalleryApplicationKey', value: AD2AAD_FACTORY_TAG },
      { key: 'IsOAuthEnabled', value: 'false' },
      { key: 'ConfigurationFields', value: JSON.stringify([{ name: 'BaseAddress' }, { name: 'UserName' }, { name: 'Password', secret: true }, { name: 'Domain' }]) },
    ];
  },
  get jobSettings() {
    return [
      { name: 'QuarantineTooManyDeletesThreshold', value: '500' },
      { name: 'DomainFQDN', value: '' },
    ];
  },
  defaultInterval: 'PT2M',
  defaultSchema: ad2aadDefaultSchema,
});

/** Application template of "API-driven provisioning to Microsoft Entra ID" (Provisio's own id: Entra's is not published). */
export const API2AAD_APPLICATION_TEMPLATE_ID = 'a7d0b5c2-3f1e-4e8a-9c6b-2d4f6a8b0c13';
/** "Active Directory to Azure Active Directory Provisioning" (CS-GRAPH). */
export const AD2AAD_APPLICATION_TEMPLATE_ID = '1a4721b3-e57f-4451-ae87-ef078703ec94';

const FACTORIES: readonly TemplateFactory[] = [scimFactory, api2aadFactory, ad2aadFactory];

/**
 * The factory for a tag, or `undefined`. Case-insensitive: Graph treats
 * template ids that way (a real template is `aWSSingleSignon`, keyed
 * `awssinglesignon`).
 */
function findFactory(factoryTag: string): TemplateFactory | undefined {
  const wanted = factoryTag.toLowerCase();
  return FACTORIES.find((f) => f.factoryTag.toLowerCase() === wanted);
}

/**
 * The Graph `synchronizationTemplate` a service principal of `applicationId`
 * lists for a factory, with its default schema inlined (as the documented
 * samples do). The schema `id` is the template id.
 */
export function synchronizationTemplate(factory: TemplateFactory, applicationId: string): SynchronizationTemplateT {
  return {
    id: factory.templateId,
    applicationId,
    default: true,
    description: factory.description,
    discoverable: true,
    factoryTag: factory.factoryTag,
    metadata: factory.metadata,
    schema: { id: factory.templateId, ...factory.defaultSchema() },
  };
}

// ---------------------------------------------------------------------------
// Application templates (the gallery)


function galleryTemplates(): GalleryApplicationTemplate[] {
  return [
    {
      id: NON_GALLERY_APPLICATION_TEMPLATE_ID,
      displayName: 'SCIM 2.0 application',
      description:
        'A custom (non-gallery) application that receives users and groups through its SCIM 2.0 endpoint. '
        + 'Its service principal gets the "scim" synchronization template.',
      homePageUrl: null,
      logoUrl: null,
      publisher: 'Provisio',
      categories: [],
      supportedProvisioningTypes: ['sync'],
      // Entra uses this template for every non-gallery app, SAML and password SSO included.
      supportedSingleSignOnModes: ['password', 'saml', 'notSupported'],
      factoryTags: [SCIM_FACTORY_TAG],
    },
    {
      id: API2AAD_APPLICATION_TEMPLATE_ID,
      displayName: 'API-driven provisioning to Microsoft Entra ID',
      description: 'Inbound provisioning from any system of record (HR, CSV exports) through the bulkUpload API into the directory. '
        + 'Its service principal gets the "API2AAD" synchronization template.',
      homePageUrl: null,
      logoUrl: null,
      publisher: 'Provisio',
      categories: ['Human resources'],
      supportedProvisioningTypes: ['sync'],
      supportedSingleSignOnModes: ['notSupported'],
      factoryTags: [API2AAD_FACTORY_TAG],
    },
    {
      id: AD2AAD_APPLICATION_TEMPLATE_ID,
      displayName: 'Active Directory to Azure Active Directory Provisioning',
      description: 'Inbound provisioning of users from Active Directory or an LDAP directory into the directory (Cloud Sync style). '
        + 'Its service principal gets the "AD2AADProvisioning" synchronization template.',
      homePageUrl: null,
      logoUrl: null,
      publisher: 'Provisio',
      categories: [],
      supportedProvisioningTypes: ['sync'],
      supportedSingleSignOnModes: ['notSupported'],
      factoryTags: [AD2AAD_FACTORY_TAG],
    },
  ];
}


/**
 * The built-in catalog. Factories are frozen and hand out fresh copies of
 * their metadata, settings and schema; gallery entries are fresh on every call.
 */
export const builtInCatalog: TemplateCatalog = Object.freeze({
  factory: findFactory,
  factories: () => [...FACTORIES],
  gallery: galleryTemplates,
  // GUIDs compare case-insensitively.
  galleryTemplate: (id: string) => galleryTemplates().find((t) => t.id === id.toLowerCase()),
});
