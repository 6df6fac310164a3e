/**
 * Small builders for the Graph shapes a template is made of: attribute
 * definitions, attribute-mapping sources (with their `expression` text) and
 * attribute mappings. They fill in every member Graph always serialises
 * (non-nullable members in the CSDL), so a template reads back exactly as a
 * GET of an Entra schema does (shared/reference/graph-sync-api.md §3.4.1, §4.2).
 *
 * Pure; no I/O. Each call returns a new object.
 */
import type {
  AttributeDefinitionT,
  AttributeMappingSourceT,
  AttributeMappingT,
  ObjectDefinitionT,
} from '../../graph/sync-schemas.ts';

/** Options for {@link attributeDefinition}; every member defaults as Graph does. */
export interface AttributeOptions {
  anchor?: boolean;
  caseExact?: boolean;
  multivalued?: boolean;
  mutability?: NonNullable<AttributeDefinitionT['mutability']>;
  required?: boolean;
  type?: NonNullable<AttributeDefinitionT['type']>;
  /** Object names this Reference attribute points at (e.g. `['User']` for manager). */
  references?: readonly string[];
}

/**
 * An `attributeDefinition` with all members present: `String`, single-valued,
 * `ReadWrite`, not anchor, not required, not case-exact unless told otherwise.
 */
export function attributeDefinition(name: string, opts: AttributeOptions = {}): AttributeDefinitionT {
  return {
    anchor: opts.anchor ?? false,
    apiExpressions: [],
    caseExact: opts.caseExact ?? false,
    defaultValue: null,
    flowNullValues: false,
    metadata: [],
    multivalued: opts.multivalued ?? false,
    mutability: opts.mutability ?? 'ReadWrite',
    name,
    referencedObjects: (opts.references ?? []).map((referencedObjectName) => ({
      referencedObjectName,
      referencedProperty: null,
    })),
    required: opts.required ?? false,
    type: opts.type ?? 'String',
  };
}

/**
 * An `objectDefinition`. Metadata values are strings, as Graph serialises them
 * (`"true"`, not `true`: objectDefinition sample in the v1.0 resource page).
 */
export function objectDefinition(
  name: string,
  attributes: AttributeDefinitionT[],
  metadata: Readonly<Record<string, string>> = {},
): ObjectDefinitionT {
  return {
    attributes,
    metadata: Object.entries(metadata).map(([key, value]) => ({ key, value })),
    name,
    supportedApis: [],
  };
}

/** Quotes a string constant the way the expression language writes it: `"` and `\` escaped with `\`. */
export function quoteConstant(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** `[name]`: an attribute source. */
export function attributeSource(name: string): AttributeMappingSourceT {
  return { expression: `[${name}]`, name, parameters: [], type: 'Attribute' };
}

/** `"value"`: a constant source. Numbers are string constants too (Graph stores `Mid(…, 1, 8)` that way). */
export function constantSource(value: string): AttributeMappingSourceT {
  return { expression: quoteConstant(value), name: value, parameters: [], type: 'Constant' };
}

/**
 * One argument slot of a function call: the Graph parameter key and its
 * value, or `null` for an omitted optional argument (an empty slot).
 */
export type ArgumentSlot = readonly [key: string, value: AttributeMappingSourceT] | null;

/**
 * A function source. Slots are positional, as in the expression text; an
 * omitted argument prints as an empty slot and is absent from `parameters`,
 * which is how Graph's parser represents it
 * (`Replace([preferredLanguage], "-", , , "_", , )` → keys source, Find,
 * Replacement only). Repeating parameters repeat their key.
 */
export function functionSource(name: string, slots: readonly ArgumentSlot[]): AttributeMappingSourceT {
  const args = slots.map((slot) => (slot === null ? '' : (slot[1].expression ?? '')));
  const parameters = slots
    .filter((slot): slot is readonly [string, AttributeMappingSourceT] => slot !== null)
    .map(([key, value]) => ({ key, value }));
  return { expression: `${name}(${args.join(', ')})`, name, parameters, type: 'Function' };
}

/** Options for {@link attributeMapping}; the defaults are Graph's. */
export interface MappingOptions {
  defaultValue?: string | null;
  flowBehavior?: NonNullable<AttributeMappingT['flowBehavior']>;
  flowType?: NonNullable<AttributeMappingT['flowType']>;
  /** 0 = not a matching attribute; 1, 2, … = matching precedence. */
  matchingPriority?: number;
}

/** An `attributeMapping` with every member present. */
export function attributeMapping(
  targetAttributeName: string,
  source: AttributeMappingSourceT | null,
  opts: MappingOptions = {},
): AttributeMappingT {
  return {
    defaultValue: opts.defaultValue ?? null,
    exportMissingReferences: false,
    flowBehavior: opts.flowBehavior ?? 'FlowWhenChanged',
    flowType: opts.flowType ?? 'Always',
    matchingPriority: opts.matchingPriority ?? 0,
    source,
    targetAttributeName,
  };
}
