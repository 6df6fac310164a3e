/**
 * Compiles a job's synchronization schema into what a cycle executes: for
 * each source object type (User, Group) the enabled object mapping, its
 * attribute mappings compiled once (expressions → closures), the matching
 * attributes in priority order, the scoping filter, the flow types, and how
 * the target expresses soft delete and references. Compiled once per schema
 * version, evaluated per object.
 */
import type { AttributeMappingT, ObjectDefinitionT, ObjectMappingT, SynchronizationSchemaT } from '../graph/sync-schemas.ts';
import { compile, compileFilter, fromMappingSource } from '../expressions/index.ts';
import type { CompiledExpression, CompiledFilter } from '../expressions/index.ts';
import type { AttributeMappingSource } from '../expressions/index.ts';
import { parseFlags, OBJECT_FLOW_TYPES } from '../sync/schema-validation.ts';
import { AZURE_AD_DIRECTORY_NAME } from '../sync/templates/azure-ad-directory.ts';
import type { TargetObjectType } from '../connectors/ports.ts';

export type SourceType = 'User' | 'Group';

export interface CompiledAttributeMapping {
  target: string;
  /** null: a mapping of type "None" (no source); only `defaultValue` can flow. */
  expression: CompiledExpression | null;
  defaultValue: string | null;
  /** ObjectAddOnly attributes flow on create only. */
  addOnly: boolean;
  flowAlways: boolean;
  matchingPriority: number;
  /** Reference attributes (manager, members) are resolved to target ids after the objects exist. */
  reference: boolean;
}

export interface CompiledObjectMapping {
  name: string;
  sourceType: SourceType;
  targetType: TargetObjectType;
  targetObjectName: string;
  flows: { add: boolean; update: boolean; delete: boolean };
  attributes: CompiledAttributeMapping[];
  /** Matching attributes, lowest priority number first. */
  matching: CompiledAttributeMapping[];
  scope: CompiledFilter;
  hasScope: boolean;
  /** Target attribute that carries "active" when the target supports soft delete, else null (a delete is sent instead). */
  softDeleteAttribute: string | null;
  /** The reference attribute for the manager (users) or the members (groups), if mapped. */
  managerAttribute: string | null;
  membersAttribute: string | null;
}

export interface CompiledJobSchema {
  users: CompiledObjectMapping | null;
  groups: CompiledObjectMapping | null;
  /** Every target attribute name the mappings write, per type (for hashing and logs). */
  version: string;
}

function metadata(obj: ObjectDefinitionT | undefined, key: string): string | undefined {
  return obj?.metadata?.find((m) => m.key === key)?.value ?? undefined;
}

function compileAttribute(m: AttributeMappingT, targetObject: ObjectDefinitionT | undefined): CompiledAttributeMapping {
  const def = targetObject?.attributes?.find((a) => a.name === m.targetAttributeName);
  let expression: CompiledExpression | null = null;
  if (m.source) {
    // Graph stores the parsed tree and its text; the tree is authoritative.
    const ast = fromMappingSource(m.source as AttributeMappingSource);
    expression = compile(ast, { skipCheck: true });
  }
  return {
    target: m.targetAttributeName,
    expression,
    defaultValue: m.defaultValue ?? null,
    addOnly: m.flowType === 'ObjectAddOnly',
    flowAlways: m.flowBehavior === 'FlowAlways',
    matchingPriority: m.matchingPriority ?? 0,
    reference: def?.type === 'Reference',
  };
}

function targetTypeOf(name: string, obj: ObjectDefinitionT | undefined): TargetObjectType {
  if (/group$/i.test(name) || metadata(obj, 'BaseObjectName') === 'Group') return 'Group';
  return 'User';
}

export function compileObjectMapping(om: ObjectMappingT, sourceType: SourceType, targetObject: ObjectDefinitionT | undefined): CompiledObjectMapping {
  const attributes = (om.attributeMappings ?? []).map((m) => compileAttribute(m, targetObject));
  const flowSet = parseFlags(om.flowTypes ?? 'Add, Update, Delete', OBJECT_FLOW_TYPES);
  const targetType = targetTypeOf(om.targetObjectName, targetObject);
  const softDeleteSupported = (metadata(targetObject, 'IsSoftDeletionSupported') ?? 'true').toLowerCase() === 'true' && targetType === 'User';
  const accountEnabled = metadata(targetObject, 'PropertyNameAccountEnabled') ?? 'active';
  const references = attributes.filter((a) => a.reference);
  return {
    name: om.name ?? `${om.sourceObjectName} → ${om.targetObjectName}`,
    sourceType,
    targetType,
    targetObjectName: om.targetObjectName,
    flows: { add: flowSet.has('Add'), update: flowSet.has('Update'), delete: flowSet.has('Delete') },
    attributes,
    matching: attributes.filter((a) => a.matchingPriority > 0).sort((a, b) => a.matchingPriority - b.matchingPriority),
    scope: compileFilter(om.scope ?? null),
    hasScope: Boolean(om.scope && ((om.scope.groups?.length ?? 0) + (om.scope.inputFilterGroups?.length ?? 0) + (om.scope.categoryFilterGroups?.length ?? 0)) > 0),
    softDeleteAttribute: softDeleteSupported && attributes.some((a) => a.target === accountEnabled) ? accountEnabled : null,
    managerAttribute: references.find((a) => /manager$/i.test(a.target))?.target ?? null,
    membersAttribute: references.find((a) => a.target === 'members')?.target ?? null,
  };
}

/**
 * The job's outbound rule (source: the directory), and within it the first
 * enabled mapping per source type. Entra's SCIM template has exactly one
 * of each; further ones for the same type are not supported and refused.
 */
export function compileJobSchema(schema: SynchronizationSchemaT): CompiledJobSchema {
  const rule = (schema.synchronizationRules ?? []).find((r) => r.sourceDirectoryName === AZURE_AD_DIRECTORY_NAME);
  const targetDir = (schema.directories ?? []).find((d) => d.name === rule?.targetDirectoryName);
  const out: CompiledJobSchema = { users: null, groups: null, version: schema.version ?? '' };
  for (const om of rule?.objectMappings ?? []) {
    if (om.enabled === false) continue;
    const sourceType: SourceType | null = om.sourceObjectName === 'User' ? 'User' : om.sourceObjectName === 'Group' ? 'Group' : null;
    if (!sourceType) continue;
    const compiled = compileObjectMapping(om, sourceType, targetDir?.objects?.find((o) => o.name === om.targetObjectName));
    if (sourceType === 'User' && !out.users) out.users = compiled;
    if (sourceType === 'Group' && !out.groups) out.groups = compiled;
  }
  return out;
}
