import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AD2AAD_APPLICATION_TEMPLATE_ID, API2AAD_APPLICATION_TEMPLATE_ID, NON_GALLERY_APPLICATION_TEMPLATE_ID, builtInCatalog, synchronizationTemplate,
} from '../../src/sync/templates/catalog.ts';
import { validateSchema } from '../../src/sync/schema-validation.ts';

function scim() {
  const f = builtInCatalog.factory('scim');
  assert.ok(f);
  return f;
}

void test('the scim factory: template id, interval, settings and metadata', () => {
  const f = scim();
  assert.equal(f.factoryTag, 'scim');
  assert.equal(f.templateId, 'scim');
  assert.equal(f.defaultInterval, 'PT40M');
  assert.ok(f.description.length > 0);
  assert.deepEqual(f.jobSettings.find((s) => s.name === 'QuarantineTooManyDeletesThreshold'), { name: 'QuarantineTooManyDeletesThreshold', value: '500' });
  for (const s of f.jobSettings) assert.equal(typeof s.value, 'string', s.name);
  const meta = Object.fromEntries(f.metadata.map((m) => [m.key, m.value]));
  assert.equal(meta['GalleryApplicationKey'], 'scim');
  assert.equal(meta['GalleryApplicationIdentifier'], NON_GALLERY_APPLICATION_TEMPLATE_ID);
  assert.deepEqual(JSON.parse(meta['ConfigurationFields'] ?? 'null'), [{ name: 'BaseAddress' }, { name: 'SecretToken', secret: true }]);
});

void test('factories are found case-insensitively; unknown tags are undefined', () => {
  assert.equal(builtInCatalog.factory('SCIM'), scim());
  assert.equal(builtInCatalog.factory('api2aad')?.templateId, 'API2AAD');
  assert.equal(builtInCatalog.factory('API2AD'), undefined);
  assert.equal(builtInCatalog.factory(''), undefined);
  assert.deepEqual(builtInCatalog.factories().map((f) => f.factoryTag), ['scim', 'API2AAD', 'AD2AADProvisioning']);
});

void test('defaultSchema returns a fresh deep copy on every call, without an id', () => {
  const f = scim();
  const a = f.defaultSchema();
  const b = f.defaultSchema();
  assert.notEqual(a, b);
  assert.notEqual(a.directories, b.directories);
  assert.notEqual(a.synchronizationRules?.[0]?.objectMappings?.[0], b.synchronizationRules?.[0]?.objectMappings?.[0]);
  assert.deepEqual(a, b);
  assert.equal(a.id, undefined);
  a.directories!.length = 0;
  a.synchronizationRules![0]!.name = 'changed';
  const c = f.defaultSchema();
  assert.equal(c.directories?.length, 2);
  assert.equal(c.synchronizationRules?.[0]?.name, 'USERGROUP_OUTBOUND_USERGROUP');
  assert.deepEqual(validateSchema(c), []);
});

void test('metadata and job settings are fresh arrays on every read; the factory itself is frozen', () => {
  const f = scim();
  f.jobSettings[0]!.value = '1';
  f.jobSettings.push({ name: 'Extra', value: 'x' });
  f.metadata.length = 0;
  assert.equal(f.jobSettings[0]!.value, '500');
  assert.equal(f.jobSettings.some((s) => s.name === 'Extra'), false);
  assert.ok(f.metadata.length > 0);
  assert.throws(() => { (f as { templateId: string }).templateId = 'x'; }, TypeError);
  const list = builtInCatalog.factories();
  list.length = 0;
  assert.equal(builtInCatalog.factories().length, 3);
});

void test('synchronizationTemplate builds the Graph entity with the schema inlined under the template id', () => {
  const t = synchronizationTemplate(scim(), '0f9b7c1e-2d3a-4b5c-8d6e-7f8091a2b3c4');
  assert.equal(t.id, 'scim');
  assert.equal(t.factoryTag, 'scim');
  assert.equal(t.applicationId, '0f9b7c1e-2d3a-4b5c-8d6e-7f8091a2b3c4');
  assert.equal(t.default, true);
  assert.equal(t.discoverable, true);
  assert.equal(t.schema?.id, 'scim');
  assert.equal(t.schema?.synchronizationRules?.length, 1);
});

void test('the gallery has the non-gallery SCIM application under Entra\'s custom-app template id, and the two inbound apps', () => {
  const gallery = builtInCatalog.gallery();
  const entry = builtInCatalog.galleryTemplate(NON_GALLERY_APPLICATION_TEMPLATE_ID);
  assert.ok(entry);
  assert.equal(NON_GALLERY_APPLICATION_TEMPLATE_ID, '8adf8e6e-67b2-4cf2-a259-e3dc5476c621');
  assert.deepEqual(gallery.map((g) => g.id), [NON_GALLERY_APPLICATION_TEMPLATE_ID, API2AAD_APPLICATION_TEMPLATE_ID, AD2AAD_APPLICATION_TEMPLATE_ID]);
  assert.deepEqual(builtInCatalog.galleryTemplate(API2AAD_APPLICATION_TEMPLATE_ID)?.factoryTags, ['API2AAD']);
  assert.deepEqual(builtInCatalog.galleryTemplate(AD2AAD_APPLICATION_TEMPLATE_ID)?.factoryTags, ['AD2AADProvisioning']);
  assert.equal(entry.displayName, 'SCIM 2.0 application');
  assert.deepEqual(entry.supportedProvisioningTypes, ['sync']);
  assert.deepEqual(entry.factoryTags, ['scim']);
  assert.deepEqual(Object.keys(entry).sort(), [
    'categories', 'description', 'displayName', 'factoryTags', 'homePageUrl', 'id', 'logoUrl', 'publisher',
    'supportedProvisioningTypes', 'supportedSingleSignOnModes',
  ]);
  assert.deepEqual(builtInCatalog.galleryTemplate(NON_GALLERY_APPLICATION_TEMPLATE_ID.toUpperCase()), entry);
  assert.equal(builtInCatalog.galleryTemplate('00000000-0000-0000-0000-000000000000'), undefined);
});

void test('every factory tag a gallery entry names is registered', () => {
  for (const entry of builtInCatalog.gallery()) {
    for (const tag of entry.factoryTags) assert.ok(builtInCatalog.factory(tag), `${entry.displayName}: ${tag}`);
  }
});

void test('gallery entries are fresh copies', () => {
  const a = builtInCatalog.gallery();
  a[0]!.factoryTags.push('other');
  a[0]!.displayName = 'changed';
  const b = builtInCatalog.galleryTemplate(NON_GALLERY_APPLICATION_TEMPLATE_ID);
  assert.deepEqual(b?.factoryTags, ['scim']);
  assert.equal(b?.displayName, 'SCIM 2.0 application');
});

void test('the inbound factories: API2AAD (absent active disables by default) and AD2AADProvisioning (every 2 minutes)', () => {
  const api = builtInCatalog.factory('API2AAD')!;
  assert.equal(api.defaultInterval, 'PT40M');
  assert.deepEqual(api.jobSettings.find((s) => s.name === 'AbsentActiveMeansUnchanged'), { name: 'AbsentActiveMeansUnchanged', value: 'False' });
  const schema = api.defaultSchema();
  assert.deepEqual(schema.directories?.map((d) => d.name), ['API', 'Azure Active Directory']);
  assert.deepEqual(validateSchema(schema), []);
  const ad = builtInCatalog.factory('AD2AADProvisioning')!;
  assert.equal(ad.defaultInterval, 'PT2M');
  const adSchema = ad.defaultSchema();
  assert.deepEqual(adSchema.directories?.map((d) => d.name), ['Active Directory', 'Azure Active Directory']);
  assert.deepEqual(validateSchema(adSchema), []);
});
