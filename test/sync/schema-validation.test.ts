import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateSchema } from '../../src/sync/schema-validation.ts';
import type { AttributeMappingContext, SchemaProblem } from '../../src/sync/schema-validation.ts';
import { SCIM_GROUP_OBJECT, SCIM_USER_OBJECT, scimDefaultSchema } from '../../src/sync/templates/scim.ts';
import { attributeSource, constantSource, functionSource } from '../../src/sync/templates/builders.ts';
import type {
  AttributeMappingT, DirectoryDefinitionT, ObjectDefinitionT, ObjectMappingT, SynchronizationRuleT, SynchronizationSchemaT,
} from '../../src/graph/sync-schemas.ts';

// Fixtures: the default SCIM schema, edited one defect at a time.

function rule(schema: SynchronizationSchemaT): SynchronizationRuleT {
  const r = schema.synchronizationRules?.[0];
  assert.ok(r);
  return r;
}

function mappingIndex(schema: SynchronizationSchemaT, name: string): number {
  const i = rule(schema).objectMappings?.findIndex((m) => m.name === name) ?? -1;
  assert.ok(i >= 0, name);
  return i;
}

function objectMapping(schema: SynchronizationSchemaT, name: string): ObjectMappingT {
  return rule(schema).objectMappings![mappingIndex(schema, name)]!;
}

function attributeMappingIndex(schema: SynchronizationSchemaT, om: string, target: string): number {
  const i = objectMapping(schema, om).attributeMappings?.findIndex((a) => a.targetAttributeName === target) ?? -1;
  assert.ok(i >= 0, target);
  return i;
}

function attributeMapping(schema: SynchronizationSchemaT, om: string, target: string): AttributeMappingT {
  return objectMapping(schema, om).attributeMappings![attributeMappingIndex(schema, om, target)]!;
}

function directoryIndex(schema: SynchronizationSchemaT, name: string): number {
  const i = schema.directories?.findIndex((d) => d.name === name) ?? -1;
  assert.ok(i >= 0, name);
  return i;
}

function directory(schema: SynchronizationSchemaT, name: string): DirectoryDefinitionT {
  return schema.directories![directoryIndex(schema, name)]!;
}

function objectOf(schema: SynchronizationSchemaT, dir: string, name: string): ObjectDefinitionT {
  const obj = directory(schema, dir).objects?.find((o) => o.name === name);
  assert.ok(obj);
  return obj;
}

const USERS = 'Provision Azure Active Directory Users';
const GROUPS = 'Provision Azure Active Directory Groups';
const AAD = 'Azure Active Directory';
const SCIM = 'customappsso';

function only(problems: SchemaProblem[]): SchemaProblem {
  assert.equal(problems.length, 1, JSON.stringify(problems, null, 2));
  return problems[0]!;
}

void test('the default SCIM schema has no problems', () => {
  assert.deepEqual(validateSchema(scimDefaultSchema()), []);
});

void test('an empty schema has no problems', () => {
  assert.deepEqual(validateSchema({}), []);
  assert.deepEqual(validateSchema({ directories: null, synchronizationRules: null }), []);
});

void test('a rule naming an unknown source or target directory is reported on the rule', () => {
  const s = scimDefaultSchema();
  rule(s).sourceDirectoryName = 'Azure AD';
  const p = only(validateSchema(s));
  assert.equal(p.code, 'UnknownSourceDirectory');
  assert.equal(p.target, 'synchronizationRules[0]');
  assert.match(p.message, /"Azure AD"/);
  assert.match(p.message, /USERGROUP_OUTBOUND_USERGROUP/);

  const t = scimDefaultSchema();
  rule(t).targetDirectoryName = 'scim';
  const q = only(validateSchema(t));
  assert.equal(q.code, 'UnknownTargetDirectory');
  assert.equal(q.target, 'synchronizationRules[0]');
});

void test('directory names are compared exactly', () => {
  const s = scimDefaultSchema();
  rule(s).targetDirectoryName = 'CustomAppSSO';
  assert.equal(only(validateSchema(s)).code, 'UnknownTargetDirectory');
});

void test('an object mapping naming an object its directory lacks is reported on the object mapping', () => {
  const s = scimDefaultSchema();
  objectMapping(s, GROUPS).sourceObjectName = 'Contact';
  const p = only(validateSchema(s));
  assert.equal(p.code, 'UnknownSourceObject');
  assert.equal(p.target, `synchronizationRules[0].objectMappings[${mappingIndex(s, GROUPS)}]`);
  assert.match(p.message, /"Contact"/);
  assert.match(p.message, /Provision Azure Active Directory Groups/);

  const t = scimDefaultSchema();
  objectMapping(t, USERS).targetObjectName = 'urn:ietf:params:scim:schemas:core:2.0:User';
  const q = only(validateSchema(t));
  assert.equal(q.code, 'UnknownTargetObject');
  assert.equal(q.target, `synchronizationRules[0].objectMappings[${mappingIndex(t, USERS)}]`);
});

void test('a target attribute the target object does not define is reported on the attribute mapping', () => {
  const s = scimDefaultSchema();
  attributeMapping(s, USERS, 'title').targetAttributeName = 'jobTitle';
  const p = only(validateSchema(s));
  assert.equal(p.code, 'UnknownTargetAttribute');
  const expected = `synchronizationRules[0].objectMappings[${mappingIndex(s, USERS)}].attributeMappings[${attributeMappingIndex(s, USERS, 'jobTitle')}]`;
  assert.equal(p.target, expected);
  assert.match(p.message, /"jobTitle"/);
  assert.match(p.message, /"customappsso"/);
});

void test('SCIM filter-path target names must match character for character', () => {
  for (const wrong of [
    'emails[type eq \'work\'].value',
    'emails[type eq "Work"].value',
    'emails[type eq "work"].Value',
    'emails[type eq  "work"].value',
    'emails.value',
  ]) {
    const s = scimDefaultSchema();
    attributeMapping(s, USERS, 'emails[type eq "work"].value').targetAttributeName = wrong;
    assert.equal(only(validateSchema(s)).code, 'UnknownTargetAttribute', wrong);
  }
});

void test('extension target attributes are accepted only once defined on the target object', () => {
  const urn = 'urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User:tag';
  const s = scimDefaultSchema();
  objectMapping(s, USERS).attributeMappings!.push({ targetAttributeName: urn, source: attributeSource('extensionAttribute1') });
  assert.equal(only(validateSchema(s)).code, 'UnknownTargetAttribute');

  objectOf(s, SCIM, SCIM_USER_OBJECT).attributes!.push({ name: urn, type: 'String' });
  assert.deepEqual(validateSchema(s), []);

  // The enterprise extension is defined, but only the attributes listed.
  const t = scimDefaultSchema();
  attributeMapping(t, USERS, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department')
    .targetAttributeName = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:departmentName';
  assert.equal(only(validateSchema(t)).code, 'UnknownTargetAttribute');
});

void test('an attribute source naming an undefined source attribute is reported at the source', () => {
  const s = scimDefaultSchema();
  attributeMapping(s, USERS, 'displayName').source = attributeSource('DisplayName');
  const p = only(validateSchema(s));
  assert.equal(p.code, 'UnknownSourceAttribute');
  const amPath = `synchronizationRules[0].objectMappings[${mappingIndex(s, USERS)}].attributeMappings[${attributeMappingIndex(s, USERS, 'displayName')}]`;
  assert.equal(p.target, `${amPath}.source`);
  assert.match(p.message, /"DisplayName"/);
  assert.match(p.message, /object "User" of directory "Azure Active Directory"/);
});

void test('source attributes are checked inside nested function parameters', () => {
  const s = scimDefaultSchema();
  // Join(" ", ToLower([givenName]), Coalesce([surnme], "x"))
  attributeMapping(s, USERS, 'name.formatted').source = functionSource('Join', [
    ['separator', constantSource(' ')],
    ['source', functionSource('ToLower', [['source', attributeSource('givenName')]])],
    ['source', functionSource('Coalesce', [['source', attributeSource('surnme')], ['source', constantSource('x')]])],
  ]);
  const p = only(validateSchema(s));
  assert.equal(p.code, 'UnknownSourceAttribute');
  const amPath = `synchronizationRules[0].objectMappings[${mappingIndex(s, USERS)}].attributeMappings[${attributeMappingIndex(s, USERS, 'name.formatted')}]`;
  assert.equal(p.target, `${amPath}.source.parameters[2].value.parameters[0].value`);
  assert.match(p.message, /"surnme"/);
});

void test('a source without a type is an attribute source (Graph default); constants are never looked up', () => {
  const s = scimDefaultSchema();
  attributeMapping(s, USERS, 'title').source = { name: 'jobtitle', expression: '[jobtitle]' };
  assert.equal(only(validateSchema(s)).code, 'UnknownSourceAttribute');

  const t = scimDefaultSchema();
  attributeMapping(t, USERS, 'title').source = constantSource('no such attribute');
  assert.deepEqual(validateSchema(t), []);
});

void test('attribute and function sources without a name are invalid', () => {
  const s = scimDefaultSchema();
  attributeMapping(s, USERS, 'title').source = { type: 'Attribute', name: null };
  const p = only(validateSchema(s));
  assert.equal(p.code, 'InvalidSource');

  const t = scimDefaultSchema();
  attributeMapping(t, USERS, 'title').source = { type: 'Function', parameters: [{ key: 'source', value: attributeSource('jobTitle') }] };
  assert.equal(only(validateSchema(t)).code, 'InvalidSource');
});

void test('a constant mapping (source null plus defaultValue) is valid', () => {
  const s = scimDefaultSchema();
  attributeMapping(s, USERS, 'preferredLanguage').source = null;
  attributeMapping(s, USERS, 'preferredLanguage').defaultValue = 'en-US';
  assert.deepEqual(validateSchema(s), []);
});

void test('a duplicate attribute name in an object is reported on the second definition', () => {
  const s = scimDefaultSchema();
  const user = objectOf(s, AAD, 'User');
  user.attributes!.push({ name: 'mail', type: 'String' });
  const p = only(validateSchema(s));
  assert.equal(p.code, 'DuplicateAttributeName');
  assert.equal(p.target, `directories[${directoryIndex(s, AAD)}].objects[0].attributes[${user.attributes!.length - 1}]`);
  assert.match(p.message, /"mail"/);
});

void test('attribute names differing only in case are different attributes', () => {
  const s = scimDefaultSchema();
  objectOf(s, AAD, 'User').attributes!.push({ name: 'Mail', type: 'String' });
  assert.deepEqual(validateSchema(s), []);
});

void test('more than one anchor on an object is reported on the object', () => {
  const s = scimDefaultSchema();
  const group = objectOf(s, SCIM, SCIM_GROUP_OBJECT);
  group.attributes!.find((a) => a.name === 'externalId')!.anchor = true;
  const p = only(validateSchema(s));
  assert.equal(p.code, 'MultipleAnchors');
  assert.equal(p.target, `directories[${directoryIndex(s, SCIM)}].objects[1]`);
  assert.match(p.message, /"id", "externalId"/);
});

void test('a duplicate directory name is reported on the second directory', () => {
  const s = scimDefaultSchema();
  s.directories!.push({ name: SCIM, objects: [] });
  const p = only(validateSchema(s));
  assert.equal(p.code, 'DuplicateDirectoryName');
  assert.equal(p.target, `directories[${s.directories!.length - 1}]`);
});

void test('a duplicate object name in a directory is reported', () => {
  const s = scimDefaultSchema();
  directory(s, SCIM).objects!.push({ name: SCIM_GROUP_OBJECT, attributes: [] });
  const p = only(validateSchema(s));
  assert.equal(p.code, 'DuplicateObjectName');
  assert.equal(p.target, `directories[${directoryIndex(s, SCIM)}].objects[2]`);
});

void test('bad flowTypes flags are reported on the object mapping; any order and spacing is accepted', () => {
  for (const ok of ['Add,Update,Delete', 'Delete, Add', 'Update', 'None', ' add , update ']) {
    const s = scimDefaultSchema();
    objectMapping(s, USERS).flowTypes = ok;
    assert.deepEqual(validateSchema(s), [], ok);
  }
  for (const bad of ['Add, Update, Remove', 'Create', '', 'Add;Update']) {
    const s = scimDefaultSchema();
    objectMapping(s, USERS).flowTypes = bad;
    const p = only(validateSchema(s));
    assert.equal(p.code, 'InvalidFlowTypes', bad);
    assert.equal(p.target, `synchronizationRules[0].objectMappings[${mappingIndex(s, USERS)}]`);
  }
});

void test('an unknown directory is reported once, not again for every mapping under it', () => {
  const s = scimDefaultSchema();
  rule(s).targetDirectoryName = 'nowhere';
  assert.deepEqual(validateSchema(s).map((p) => p.code), ['UnknownTargetDirectory']);
});

void test('several problems are all reported, directories first then rules in order', () => {
  const s = scimDefaultSchema();
  objectOf(s, AAD, 'Group').attributes!.push({ name: 'displayName' });
  attributeMapping(s, GROUPS, 'externalId').source = attributeSource('objectID');
  objectMapping(s, USERS).flowTypes = 'Add, Upsert';
  assert.deepEqual(validateSchema(s).map((p) => p.code), ['DuplicateAttributeName', 'InvalidFlowTypes', 'UnknownSourceAttribute']);
});

void test('the expression hook runs per attribute mapping with a source, with resolved objects and a default target', () => {
  const s = scimDefaultSchema();
  const seen: AttributeMappingContext[] = [];
  const problems = validateSchema(s, {
    expressionCheck: (ctx) => {
      seen.push(ctx);
      if (ctx.attributeMapping.targetAttributeName === 'active') return [{ message: 'Switch needs key/value pairs.' }];
      if (ctx.attributeMapping.targetAttributeName === 'name.formatted') return [{ message: 'deep', target: `${ctx.target}.source.parameters[1]` }];
      return [];
    },
  });
  const withSource = rule(s).objectMappings!.flatMap((m) => m.attributeMappings ?? []).filter((a) => a.source).length;
  assert.equal(seen.length, withSource);
  const active = seen.find((c) => c.attributeMapping.targetAttributeName === 'active')!;
  assert.equal(active.sourceObject.name, 'User');
  assert.equal(active.targetDirectory.name, SCIM);
  assert.equal(active.objectMapping.name, USERS);
  assert.equal(problems.length, 2);
  assert.equal(problems[0]!.code, 'InvalidExpression');
  assert.equal(problems[0]!.target, `synchronizationRules[0].objectMappings[${mappingIndex(s, USERS)}].attributeMappings[${attributeMappingIndex(s, USERS, 'active')}]`);
  assert.match(problems[0]!.message, /"active": Switch needs key\/value pairs\.$/);
  assert.equal(problems[1]!.target, `synchronizationRules[0].objectMappings[${mappingIndex(s, USERS)}].attributeMappings[${attributeMappingIndex(s, USERS, 'name.formatted')}].source.parameters[1]`);
});

void test('the expression hook is not called for mappings whose objects do not resolve', () => {
  const s = scimDefaultSchema();
  objectMapping(s, GROUPS).targetObjectName = 'Team';
  let groupCalls = 0;
  const problems = validateSchema(s, {
    expressionCheck: (ctx) => {
      if (ctx.objectMapping.name === GROUPS) groupCalls++;
      return [];
    },
  });
  assert.equal(groupCalls, 0);
  assert.deepEqual(problems.map((p) => p.code), ['UnknownTargetObject']);
});
