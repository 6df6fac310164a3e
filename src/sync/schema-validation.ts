/**
 * Structural validation of a synchronization schema: the checks Graph's
 * documentation asks of a schema PUT (graph-sync-api.md §6.3, §4: names must
 * match directory and object definitions, attribute names unique per object,
 * one anchor) plus mapping-level references (target attributes, source
 * attributes inside expressions, flow-type flags).
 *
 * Pure: it reads the schema and returns problems; it never throws on bad
 * input. Expression-level checks (function arity, types) plug in through
 * {@link ValidateSchemaOptions.expressionCheck}; this module does not parse
 * expression text, it walks the already-structured `source` tree.
 *
 * Names compare exactly (case-sensitively): Entra rejects `[Description]` for
 * `[description]` (MicrosoftDocs/azure-docs#58604), and SCIM target names
 * carry brackets and quotes that must match character for character.
 */
import type {
  AttributeMappingT,
  DirectoryDefinitionT,
  ObjectDefinitionT,
  ObjectMappingT,
  SynchronizationRuleT,
  SynchronizationSchemaT,
} from '../graph/sync-schemas.ts';

// ---------------------------------------------------------------------------
// Flags enums

/** Members of Graph's `objectFlowTypes` flags enum, in declaration order. */
export const OBJECT_FLOW_TYPES = ['None', 'Add', 'Update', 'Delete'] as const;
export type ObjectFlowType = (typeof OBJECT_FLOW_TYPES)[number];

/** A flags value that names an unknown member, or is empty. */
export class FlagsParseError extends Error {
  constructor(
    message: string,
    /** The text that failed to parse. */
    readonly text: string,
  ) {
    super(message);
    this.name = 'FlagsParseError';
  }
}

/**
 * The zero member of every Graph flags enum (objectFlowTypes,
 * synchronizationJobRestartScope, directoryDefinitionDiscoverabilities) is
 * `None`; it contributes nothing to a set.
 */
const NONE = 'None';

/**
 * Parses a Graph flags-enum value (`"Add, Update, Delete"`) into the set of
 * members it names, spelled as in `members`. Members are separated by commas
 * with any whitespace around them, in any order, repeated or not; they match
 * case-insensitively, as OData enum members do on input. `None` is the empty
 * set.
 *
 * @throws FlagsParseError when the text is empty, has an empty item, or names
 *   something that is not in `members`.
 */
export function parseFlags<T extends string>(text: string, members: readonly T[]): Set<T> {
  const byLower = new Map(members.map((m) => [m.toLowerCase(), m] as const));
  const items = text.split(',').map((s) => s.trim());
  if (items.every((s) => s === '')) throw new FlagsParseError('The flags value is empty.', text);
  const out = new Set<T>();
  for (const item of items) {
    if (item === '') throw new FlagsParseError(`"${text}" has an empty item.`, text);
    const member = byLower.get(item.toLowerCase());
    if (member === undefined) {
      throw new FlagsParseError(`"${item}" is not one of ${members.join(', ')}.`, text);
    }
    if (member !== NONE) out.add(member);
  }
  return out;
}

/**
 * Formats a set of flags canonically: members in `order`, joined by `", "`
 * (how Graph serialises flags, e.g. `"Add, Update, Delete"`). The empty set
 * is `None` when `order` has it, else `""`. Members not in `order` are
 * dropped.
 */
export function formatFlags<T extends string>(flags: Iterable<T>, order: readonly T[]): string {
  const set = new Set<string>(flags);
  const named = order.filter((m) => m !== NONE && set.has(m));
  if (named.length > 0) return named.join(', ');
  return (order as readonly string[]).includes(NONE) ? NONE : '';
}

// ---------------------------------------------------------------------------
// Problems

/** What kind of problem; stable, for callers that map problems to error codes. */
export type SchemaProblemCode =
  | 'DuplicateDirectoryName'
  | 'DuplicateObjectName'
  | 'DuplicateAttributeName'
  | 'MultipleAnchors'
  | 'UnknownSourceDirectory'
  | 'UnknownTargetDirectory'
  | 'UnknownSourceObject'
  | 'UnknownTargetObject'
  | 'UnknownTargetAttribute'
  | 'UnknownSourceAttribute'
  | 'InvalidSource'
  | 'InvalidFlowTypes'
  | 'InvalidExpression';

/** One problem found in a schema. */
export interface SchemaProblem {
  code: SchemaProblemCode;
  /** What is wrong, naming the rule, object mapping, attribute and directory involved. */
  message: string;
  /**
   * Path of the offending element from the schema root, e.g.
   * `synchronizationRules[0].objectMappings[1].attributeMappings[3]`, or
   * deeper (`….source.parameters[0].value`) for a part of a source.
   */
  target: string;
}

/** What an expression check sees: one attribute mapping whose objects resolved. */
export interface AttributeMappingContext {
  schema: SynchronizationSchemaT;
  rule: SynchronizationRuleT;
  objectMapping: ObjectMappingT;
  attributeMapping: AttributeMappingT;
  sourceDirectory: DirectoryDefinitionT;
  targetDirectory: DirectoryDefinitionT;
  sourceObject: ObjectDefinitionT;
  targetObject: ObjectDefinitionT;
  /** Path of the attribute mapping (`synchronizationRules[i].objectMappings[j].attributeMappings[k]`). */
  target: string;
}

/** A problem reported by an expression check; `target` defaults to the attribute mapping's path. */
export interface ExpressionProblem {
  message: string;
  target?: string;
}

/** A caller-supplied check run on every attribute mapping that has a source. */
export type ExpressionCheck = (context: AttributeMappingContext) => Iterable<ExpressionProblem>;

/** Options of {@link validateSchema}. */
export interface ValidateSchemaOptions {
  /**
   * Expression-level checks (the expression type-checker plugs in here).
   * Called only when the mapping's source and target objects exist, after
   * the structural checks of that mapping.
   */
  expressionCheck?: ExpressionCheck;
}

// ---------------------------------------------------------------------------
// Validation

const q = (s: string | null | undefined) => JSON.stringify(s ?? '');

function firstByName<T extends { name: string }>(items: readonly T[]): Map<string, T> {
  const map = new Map<string, T>();
  for (const item of items) if (!map.has(item.name)) map.set(item.name, item);
  return map;
}

function checkDirectories(directories: readonly DirectoryDefinitionT[], problems: SchemaProblem[]): void {
  const seenDirs = new Set<string>();
  directories.forEach((dir, d) => {
    const dirPath = `directories[${d}]`;
    if (seenDirs.has(dir.name)) {
      problems.push({ code: 'DuplicateDirectoryName', target: dirPath, message: `Directory name ${q(dir.name)} is used by more than one directory.` });
    }
    seenDirs.add(dir.name);

    const seenObjects = new Set<string>();
    (dir.objects ?? []).forEach((obj, o) => {
      const objPath = `${dirPath}.objects[${o}]`;
      const where = `object ${q(obj.name)} of directory ${q(dir.name)}`;
      if (seenObjects.has(obj.name)) {
        problems.push({ code: 'DuplicateObjectName', target: objPath, message: `Object name ${q(obj.name)} is used twice in directory ${q(dir.name)}.` });
      }
      seenObjects.add(obj.name);

      const seenAttrs = new Set<string>();
      const anchors: string[] = [];
      (obj.attributes ?? []).forEach((attr, a) => {
        if (seenAttrs.has(attr.name)) {
          problems.push({
            code: 'DuplicateAttributeName',
            target: `${objPath}.attributes[${a}]`,
            message: `Attribute ${q(attr.name)} is defined more than once on ${where}.`,
          });
        }
        seenAttrs.add(attr.name);
        if (attr.anchor === true) anchors.push(attr.name);
      });
      if (anchors.length > 1) {
        problems.push({
          code: 'MultipleAnchors',
          target: objPath,
          message: `Object ${q(obj.name)} of directory ${q(dir.name)} has ${anchors.length} anchor attributes (${anchors.map(q).join(', ')}); an object has exactly one.`,
        });
      }
    });
  });
}

/** A node of an attribute mapping's `source` tree, as the wire schema types it. */
type SourceNode = NonNullable<AttributeMappingT['source']>;

/**
 * Walks a source tree, reporting Attribute nodes that name no attribute of
 * the source object and nodes that are not well formed.
 */
function checkSource(
  source: SourceNode,
  path: string,
  sourceObject: ObjectDefinitionT,
  sourceAttributes: ReadonlySet<string>,
  describe: string,
  sourceDirectoryName: string,
  problems: SchemaProblem[],
): void {
  // Graph: `type` defaults to Attribute.
  const type = source.type ?? 'Attribute';
  if (type === 'Constant') return;
  if (type === 'Attribute') {
    if (!source.name) {
      problems.push({ code: 'InvalidSource', target: path, message: `${describe}: an attribute source has no name.` });
    } else if (!sourceAttributes.has(source.name)) {
      problems.push({
        code: 'UnknownSourceAttribute',
        target: path,
        message: `${describe}: source attribute ${q(source.name)} is not defined on object ${q(sourceObject.name)} of directory ${q(sourceDirectoryName)}.`,
      });
    }
    return;
  }
  if (!source.name) {
    problems.push({ code: 'InvalidSource', target: path, message: `${describe}: a function source has no function name.` });
  }
  (source.parameters ?? []).forEach((p, i) => {
    if (p.value) checkSource(p.value, `${path}.parameters[${i}].value`, sourceObject, sourceAttributes, describe, sourceDirectoryName, problems);
  });
}

function attributeNames(obj: ObjectDefinitionT): Set<string> {
  return new Set((obj.attributes ?? []).map((a) => a.name));
}

/**
 * Validates a synchronization schema's structure. Returns every problem
 * found, in schema order (directories first, then rules); an empty list
 * means the schema is structurally sound.
 */
export function validateSchema(schema: SynchronizationSchemaT, options: ValidateSchemaOptions = {}): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  const directories = schema.directories ?? [];
  checkDirectories(directories, problems);
  // References resolve to the first definition of a name; duplicates are already reported.
  const dirByName = firstByName(directories);

  (schema.synchronizationRules ?? []).forEach((rule, r) => {
    const rulePath = `synchronizationRules[${r}]`;
    const ruleName = `rule ${q(rule.name ?? rule.id)}`;
    const sourceDir = dirByName.get(rule.sourceDirectoryName);
    const targetDir = dirByName.get(rule.targetDirectoryName);
    if (!sourceDir) {
      problems.push({
        code: 'UnknownSourceDirectory',
        target: rulePath,
        message: `${ruleName}: source directory ${q(rule.sourceDirectoryName)} is not defined in the schema.`,
      });
    }
    if (!targetDir) {
      problems.push({
        code: 'UnknownTargetDirectory',
        target: rulePath,
        message: `${ruleName}: target directory ${q(rule.targetDirectoryName)} is not defined in the schema.`,
      });
    }
    const sourceObjects = firstByName(sourceDir?.objects ?? []);
    const targetObjects = firstByName(targetDir?.objects ?? []);

    (rule.objectMappings ?? []).forEach((om, m) => {
      const omPath = `${rulePath}.objectMappings[${m}]`;
      const omName = `${ruleName}, object mapping ${q(om.name ?? `${om.sourceObjectName} → ${om.targetObjectName}`)}`;

      if (om.flowTypes !== undefined) {
        try {
          parseFlags(om.flowTypes, OBJECT_FLOW_TYPES);
        } catch (e) {
          if (!(e instanceof FlagsParseError)) throw e;
          problems.push({ code: 'InvalidFlowTypes', target: omPath, message: `${omName}: flowTypes ${q(om.flowTypes)} is invalid: ${e.message}` });
        }
      }

      const sourceObject = sourceObjects.get(om.sourceObjectName);
      const targetObject = targetObjects.get(om.targetObjectName);
      // An unknown directory is reported once, on the rule, not again per mapping.
      if (sourceDir && !sourceObject) {
        problems.push({
          code: 'UnknownSourceObject',
          target: omPath,
          message: `${omName}: source object ${q(om.sourceObjectName)} is not an object of directory ${q(sourceDir.name)}.`,
        });
      }
      if (targetDir && !targetObject) {
        problems.push({
          code: 'UnknownTargetObject',
          target: omPath,
          message: `${omName}: target object ${q(om.targetObjectName)} is not an object of directory ${q(targetDir.name)}.`,
        });
      }
      const sourceAttributes = sourceObject ? attributeNames(sourceObject) : undefined;
      const targetAttributes = targetObject ? attributeNames(targetObject) : undefined;

      (om.attributeMappings ?? []).forEach((am, a) => {
        const amPath = `${omPath}.attributeMappings[${a}]`;
        const amName = `${omName}, mapping to ${q(am.targetAttributeName)}`;
        if (targetDir && targetObject && targetAttributes && !targetAttributes.has(am.targetAttributeName)) {
          problems.push({
            code: 'UnknownTargetAttribute',
            target: amPath,
            message: `${amName}: target attribute ${q(am.targetAttributeName)} is not defined on object ${q(targetObject.name)} of directory ${q(targetDir.name)}.`,
          });
        }
        if (am.source && sourceDir && sourceObject && sourceAttributes) {
          checkSource(am.source, `${amPath}.source`, sourceObject, sourceAttributes, amName, sourceDir.name, problems);
        }
        if (options.expressionCheck && am.source && sourceDir && targetDir && sourceObject && targetObject) {
          const context: AttributeMappingContext = {
            schema, rule, objectMapping: om, attributeMapping: am,
            sourceDirectory: sourceDir, targetDirectory: targetDir, sourceObject, targetObject, target: amPath,
          };
          for (const p of options.expressionCheck(context)) {
            problems.push({ code: 'InvalidExpression', target: p.target ?? amPath, message: `${amName}: ${p.message}` });
          }
        }
      });
    });
  });
  return problems;
}
