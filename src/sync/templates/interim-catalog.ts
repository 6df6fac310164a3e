// Placeholder catalog until the template catalog lands (branch tmpl); removed at that merge.
import type { TemplateCatalog, TemplateFactory, GalleryApplicationTemplate } from './port.ts';

const scim: TemplateFactory = {
  factoryTag: 'scim', templateId: 'scim', description: 'SCIM 2.0 provisioning', metadata: [],
  jobSettings: [{ name: 'QuarantineTooManyDeletesThreshold', value: '500' }], defaultInterval: 'PT40M',
  defaultSchema: () => ({
    version: 'v1.0',
    directories: [
      { id: '1f4d8f5c-0000-4000-8000-000000000001', name: 'Azure Active Directory', objects: [{ name: 'User', attributes: [{ name: 'objectId', type: 'String', anchor: true }, { name: 'userPrincipalName', type: 'String' }] }] },
      { id: '1f4d8f5c-0000-4000-8000-000000000002', name: 'customappsso', objects: [{ name: 'User', attributes: [{ name: 'id', type: 'String', anchor: true }, { name: 'userName', type: 'String' }] }] },
    ],
    synchronizationRules: [{
      id: '1f4d8f5c-0000-4000-8000-000000000003', name: 'USER_OUTBOUND_USER', editable: true, priority: 1,
      sourceDirectoryName: 'Azure Active Directory', targetDirectoryName: 'customappsso',
      objectMappings: [{ name: 'Provision Azure Active Directory Users', enabled: true, flowTypes: 'Add, Update, Delete', sourceObjectName: 'User', targetObjectName: 'User',
        attributeMappings: [{ targetAttributeName: 'userName', matchingPriority: 1, source: { type: 'Attribute', name: 'userPrincipalName', expression: '[userPrincipalName]', parameters: [] } }] }],
    }],
  }),
};
const gallery: GalleryApplicationTemplate[] = [{
  id: '8adf8e6e-67b2-4cf2-a259-e3dc5476c621', displayName: 'SCIM 2.0 application', description: null, homePageUrl: null, logoUrl: null,
  publisher: 'Provisio', categories: [], supportedProvisioningTypes: ['sync'], supportedSingleSignOnModes: [], factoryTags: ['scim'],
}];
export const builtInCatalog: TemplateCatalog = {
  factory: (t) => (t.toLowerCase() === 'scim' ? scim : undefined),
  factories: () => [scim],
  gallery: () => gallery,
  galleryTemplate: (id) => gallery.find((g) => g.id === id),
};
