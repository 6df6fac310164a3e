/**
 * The function and scoping-operator catalogs, as data.
 *
 * Parameter names are the keys of `attributeMappingSource.parameters`
 * (docs/expression-language.md §6). Where Microsoft Graph's function list
 * (`GET …/schema/functions`) names a parameter, that name is used verbatim
 * (`source`, `suffix`, `Find`, `RegularExpression`, `switchValue`, …);
 * otherwise the name is the one in the Entra function reference, camelCased.
 */

/** Graph `attributeType`. */
export type AttributeType = 'String' | 'Integer' | 'Reference' | 'Binary' | 'Boolean' | 'DateTime';

export interface ParameterSpec {
  readonly name: string;
  readonly type: AttributeType;
  readonly required: boolean;
  /** Binds every remaining argument (Join sources, Switch key/value pairs, …). Always the last parameter. */
  readonly repeating: boolean;
}

/**
 * Where a function comes from: `documented` (the 43 of the Entra reference),
 * `variant` (documented elsewhere in the Entra docs), `graph` (only in Graph's functions list).
 */
export type FunctionOrigin = 'documented' | 'variant' | 'graph';

export interface FunctionSpec {
  readonly name: string;
  readonly parameters: readonly ParameterSpec[];
  /** Fewest argument slots (empty slots count). */
  readonly minArgs: number;
  /** Most argument slots; `Infinity` with a repeating parameter. */
  readonly maxArgs: number;
  readonly origin: FunctionOrigin;
  /** One-line signature as written in the docs. */
  readonly signature: string;
  readonly summary: string;
  /** Must be the outermost function (SelectUniqueValue). */
  readonly topLevelOnly?: boolean;
  /** The repeating arguments must come in key/value pairs (Switch). */
  readonly pairs?: boolean;
}

type P = [name: string, type?: AttributeType, flags?: '' | 'opt' | 'rep' | 'optrep'];

function fn(
  name: string,
  params: readonly P[],
  summary: string,
  opts: { origin?: FunctionOrigin; minArgs?: number; topLevelOnly?: boolean; pairs?: boolean; signature?: string } = {},
): FunctionSpec {
  const parameters = params.map(([n, type = 'String', flags = '']) =>
    Object.freeze({ name: n, type, required: !flags.includes('opt'), repeating: flags.includes('rep') }),
  );
  let lastRequired = -1;
  parameters.forEach((p, i) => {
    if (p.required) lastRequired = i;
  });
  const repeating = parameters.some((p) => p.repeating);
  const signature =
    opts.signature ??
    `${name}(${parameters.map((p) => (p.repeating ? `${p.name}…` : p.required ? p.name : `[${p.name}]`)).join(', ')})`;
  return Object.freeze({
    name,
    parameters: Object.freeze(parameters),
    minArgs: opts.minArgs ?? lastRequired + 1,
    maxArgs: repeating ? Infinity : parameters.length,
    origin: opts.origin ?? 'documented',
    signature,
    summary,
    ...(opts.topLevelOnly ? { topLevelOnly: true } : {}),
    ...(opts.pairs ? { pairs: true } : {}),
  });
}

const SPECS: readonly FunctionSpec[] = [
  fn('Append', [['source'], ['suffix']], 'source followed by suffix, with no separator.'),
  fn('AppRoleAssignmentsComplex', [['source']], "All of the user's app roles as complex SCIM roles (primary = false); targets add them (PATCH add)."),
  fn('AssertiveAppRoleAssignmentsComplex', [['source']], 'As AppRoleAssignmentsComplex, but the target roles are replaced (roles removed in the source are removed).', {
    origin: 'variant',
  }),
  fn('BitAnd', [['value1', 'Integer'], ['value2', 'Integer']], 'Bitwise AND of two integers.'),
  fn('CBool', [['expression', 'Boolean']], 'True if the expression is true, "True" or a non-zero number.'),
  fn('CDate', [['expression']], 'Parses a date/time string into a UTC DateTime.'),
  fn('Coalesce', [['source', 'String', 'rep']], 'The first argument that is not null (a trailing constant acts as the default).', {
    signature: 'Coalesce(source1, source2, …, [defaultValue])',
  }),
  fn('ConvertToBase64', [['source']], 'Base64 of the UTF-16LE ("Unicode") bytes.'),
  fn('ConvertToUTF8Hex', [['source']], 'UTF-8 bytes as upper-case hexadecimal.'),
  fn('Count', [['attribute']], 'Number of values of a multi-valued attribute.'),
  fn('CStr', [['value']], 'Converts a value (number, Boolean, reference) to a string.'),
  fn('DateAdd', [['interval'], ['value', 'Integer'], ['dateTime', 'DateTime']], 'Adds a number of intervals (yyyy, m, d, ww, h, n, s) to a DateTime.'),
  fn('DateDiff', [['interval'], ['date1', 'DateTime'], ['date2', 'DateTime']], 'Number of interval boundaries from date1 to date2.'),
  fn('DateFromNum', [['value', 'Integer']], 'DateTime from an AD integer date (FILETIME).'),
  fn(
    'FormatDateTime',
    [['source'], ['dateTimeStyles', 'String', 'opt'], ['inputFormat'], ['outputFormat']],
    'Parses source with a .NET input format and prints it with a .NET output format.',
  ),
  fn('Guid', [], 'A new random GUID.'),
  fn('IgnoreFlowIfNullOrEmpty', [['expression']], 'Drops the attribute from the flow when the value is null or empty.'),
  fn('IIF', [['condition', 'Boolean'], ['valueIfTrue'], ['valueIfFalse']], 'valueIfTrue when the condition holds, else valueIfFalse.'),
  fn('InStr', [['value1'], ['value2'], ['start', 'Integer', 'opt'], ['compareType', 'String', 'opt']], '1-based position of value2 in value1 (0 if absent).'),
  fn('IsNull', [['expression']], 'True if the value is null.'),
  fn('IsNullOrEmpty', [['expression']], 'True if the value is null or empty.'),
  fn('IsPresent', [['expression']], 'True if the value is neither null nor empty.'),
  fn('IsString', [['expression']], 'True if the value can be evaluated to a string.'),
  fn('Item', [['attribute'], ['index', 'Integer']], 'The index-th value (1-based) of a multi-valued attribute.'),
  fn('Join', [['separator'], ['source', 'String', 'rep']], 'The non-empty values of all sources joined with separator.'),
  fn('Left', [['string'], ['numChars', 'Integer']], 'The first numChars characters.'),
  fn('Mid', [['source'], ['start', 'Integer'], ['length', 'Integer']], 'length characters from the 1-based position start.'),
  fn('NormalizeDiacritics', [['source']], 'Replaces diacritical characters using the documented table.'),
  fn('Not', [['source', 'Boolean']], 'False if source is True, otherwise True.'),
  fn('Now', [], 'The current UTC date and time.'),
  fn('NumFromDate', [['value']], 'AD integer date (FILETIME) of an ISO 8601 date/time.'),
  fn('PCase', [['source'], ['wordSeparators', 'String', 'opt']], 'Proper case: the first character of each word upper-case, the rest lower-case.'),
  fn(
    'RandomString',
    [
      ['length', 'Integer'],
      ['minimumNumbers', 'Integer'],
      ['minimumSpecialCharacters', 'Integer'],
      ['minimumCapital', 'Integer'],
      ['minimumLowerCase', 'Integer'],
      ['charactersToAvoid', 'String', 'opt'],
    ],
    'A random string with minimum counts per character class.',
  ),
  fn('Redact', [['source']], 'The value unchanged, shown as [Redact] in provisioning logs.'),
  fn('RemoveDuplicates', [['attribute']], 'A multi-valued attribute with each value once.'),
  fn(
    'Replace',
    [
      ['source'],
      ['Find', 'String', 'opt'],
      ['RegularExpression', 'String', 'opt'],
      ['RegularExpressionGroupName', 'String', 'opt'],
      ['Replacement', 'String', 'opt'],
      ['ReplacementPropertyName', 'String', 'opt'],
      ['Template', 'String', 'opt'],
    ],
    'Replaces text by literal, template, or .NET regular expression (five modes).',
    { signature: 'Replace(source, oldValue, regexPattern, regexGroupName, replacementValue, replacementAttributeName, template)' },
  ),
  fn('SelectUniqueValue', [['uniqueValueRule', 'String', 'rep']], 'The first rule value that is unique in the target.', {
    minArgs: 2,
    topLevelOnly: true,
    signature: 'SelectUniqueValue(uniqueValueRule1, uniqueValueRule2, …)',
  }),
  fn('SingleAppRoleAssignment', [['source']], "One of the user's app roles, as its value string."),
  fn('Split', [['source'], ['delimiter', 'String', 'opt']], 'Splits a string into a multi-valued result.'),
  fn('StripSpaces', [['source']], 'Removes every space character (U+0020).'),
  fn('Switch', [['source'], ['defaultValue', 'String', 'opt'], ['switchValue', 'String', 'optrep']], 'The value paired with the key equal to source, else defaultValue.', {
    pairs: true,
    signature: 'Switch(source, defaultValue, key1, value1, key2, value2, …)',
  }),
  fn('ToLower', [['source'], ['culture', 'String', 'opt']], 'Lower case, invariant or in the given culture.'),
  fn('ToUpper', [['source'], ['culture', 'String', 'opt']], 'Upper case, invariant or in the given culture.'),
  fn('Word', [['string'], ['wordNumber', 'Integer'], ['delimiters']], 'The wordNumber-th word (1-based), words separated by any delimiter character.'),
  // Listed by Graph's functions endpoint, not by the Entra function reference.
  fn('AppRoleAssignments', [['source']], "The values of all of the user's app roles (multi-valued).", { origin: 'graph' }),
  fn('DefaultDomain', [], "The tenant's default verified domain.", { origin: 'graph' }),
  fn('IsNothing', [['source', 'Boolean']], 'True if the value is null (as IsNull).', { origin: 'graph' }),
  fn('Prepend', [['prefix'], ['source']], 'prefix followed by source.', { origin: 'graph' }),
];

/** Every function the engine implements, by exact (case-sensitive) name. */
export const FUNCTIONS: ReadonlyMap<string, FunctionSpec> = new Map(SPECS.map((s) => [s.name, s]));

/** The 43 functions of the Entra function reference. */
export const DOCUMENTED_FUNCTION_NAMES: readonly string[] = Object.freeze(SPECS.filter((s) => s.origin === 'documented').map((s) => s.name));

/** Finds a function by exact name; `suggestion` is a case-insensitive match for error messages. */
export function lookupFunction(name: string): { spec: FunctionSpec | undefined; suggestion: string | undefined } {
  const spec = FUNCTIONS.get(name);
  if (spec) return { spec, suggestion: undefined };
  const lower = name.toLowerCase();
  const suggestion = SPECS.find((s) => s.name.toLowerCase() === lower)?.name;
  return { spec: undefined, suggestion };
}

// ---------------------------------------------------------------- Graph: schema/functions

/** Graph `attributeMappingParameterSchema`. */
export interface AttributeMappingParameterSchema {
  readonly allowMultipleOccurrences: boolean;
  readonly name: string;
  readonly required: boolean;
  readonly type: AttributeType;
}

/** Graph `attributeMappingFunctionSchema` (`id` and `name` carry the same value). */
export interface AttributeMappingFunctionSchema {
  readonly id: string;
  readonly name: string;
  readonly parameters: readonly AttributeMappingParameterSchema[];
}

const FUNCTION_CATALOG: readonly AttributeMappingFunctionSchema[] = Object.freeze(
  [...SPECS]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((s) =>
      Object.freeze({
        id: s.name,
        name: s.name,
        parameters: Object.freeze(
          s.parameters.map((p) =>
            Object.freeze({ allowMultipleOccurrences: p.repeating, name: p.name, required: p.required, type: p.type }),
          ),
        ),
      }),
    ),
);

/** The body items of `GET …/schema/functions`, sorted by name. */
export function functionCatalog(): readonly AttributeMappingFunctionSchema[] {
  return FUNCTION_CATALOG;
}

// ---------------------------------------------------------------- scoping operators

export type ScopeOperatorArity = 'Binary' | 'Unary';

/**
 * Where an operator is documented: `graph` (Graph's filterOperators list),
 * `portal` (the Entra scoping-filter article), `extension` (not documented
 * anywhere; Provisio's own, for symmetry).
 */
export type OperatorOrigin = 'graph' | 'portal' | 'extension';

export interface FilterOperatorSpec {
  readonly name: string;
  readonly arity: ScopeOperatorArity;
  readonly multivaluedComparisonType: 'All' | 'Any';
  readonly supportedAttributeTypes: readonly AttributeType[];
  readonly origin: OperatorOrigin;
  readonly summary: string;
}

function op(
  name: string,
  arity: ScopeOperatorArity,
  supportedAttributeTypes: AttributeType[],
  origin: OperatorOrigin,
  summary: string,
): FilterOperatorSpec {
  return Object.freeze({ name, arity, multivaluedComparisonType: 'All', supportedAttributeTypes: Object.freeze(supportedAttributeTypes), origin, summary });
}

const OPERATORS: readonly FilterOperatorSpec[] = [
  op('EQUALS', 'Binary', ['Integer', 'String'], 'graph', 'The attribute equals the value exactly (case-sensitive).'),
  op('IS FALSE', 'Unary', ['Boolean'], 'graph', 'The attribute holds the Boolean false.'),
  op('IS NOT NULL', 'Unary', ['Integer', 'String', 'Binary', 'Boolean'], 'graph', 'The attribute is not empty.'),
  op('IS NULL', 'Unary', ['Integer', 'String', 'Binary', 'Boolean'], 'graph', 'The attribute is empty.'),
  op('IS TRUE', 'Unary', ['Boolean'], 'graph', 'The attribute holds the Boolean true.'),
  op('NOT EQUALS', 'Binary', ['Integer', 'String'], 'graph', 'The attribute does not equal the value (case-sensitive).'),
  op('NOT REGEX MATCH', 'Binary', ['Integer', 'String'], 'graph', 'The attribute does not match the .NET regular expression.'),
  op('REGEX MATCH', 'Binary', ['Integer', 'String'], 'graph', 'The attribute matches the .NET regular expression (unanchored).'),
  op('&', 'Binary', ['Integer', 'String'], 'portal', 'The attribute value occurs in the clause value (the documented text, taken literally).'),
  op('!&', 'Binary', ['Integer', 'String'], 'portal', 'The attribute value does not occur in the clause value.'),
  op('ENDS_WITH', 'Binary', ['String'], 'portal', 'The attribute ends with the value (case-sensitive).'),
  op('Greater_Than', 'Binary', ['Integer', 'String'], 'portal', 'Both are integers and the attribute is greater.'),
  op('Greater_Than_OR_EQUALS', 'Binary', ['Integer', 'String'], 'portal', 'Both are integers and the attribute is greater or equal.'),
  op('Includes', 'Binary', ['String'], 'portal', 'The attribute contains the value (case-sensitive).'),
  op('Less_Than', 'Binary', ['Integer', 'String'], 'extension', 'Both are integers and the attribute is smaller (not an Entra operator).'),
  op('Less_Than_OR_EQUALS', 'Binary', ['Integer', 'String'], 'extension', 'Both are integers and the attribute is smaller or equal (not an Entra operator).'),
];

/** Every scoping operator the engine evaluates, by exact name. */
export const FILTER_OPERATORS: ReadonlyMap<string, FilterOperatorSpec> = new Map(OPERATORS.map((o) => [o.name, o]));

/** Finds an operator by exact name; `suggestion` is a case-insensitive match. */
export function lookupOperator(name: string): { spec: FilterOperatorSpec | undefined; suggestion: string | undefined } {
  const spec = FILTER_OPERATORS.get(name);
  if (spec) return { spec, suggestion: undefined };
  const n = name.toLowerCase().replace(/[\s_]+/g, ' ').trim();
  const suggestion = OPERATORS.find((o) => o.name.toLowerCase().replace(/[\s_]+/g, ' ') === n)?.name;
  return { spec: undefined, suggestion };
}

/** Graph `filterOperatorSchema` (`id` and `name` carry the same value). */
export interface FilterOperatorSchema {
  readonly id: string;
  readonly name: string;
  readonly arity: ScopeOperatorArity;
  readonly multivaluedComparisonType: 'All' | 'Any';
  readonly supportedAttributeTypes: readonly AttributeType[];
}

/**
 * The body items of `GET …/schema/filterOperators`: Graph's eight documented
 * operators, then the six the Entra portal documents. `includeExtensions`
 * adds Provisio's Less_Than / Less_Than_OR_EQUALS.
 */
export function filterOperatorCatalog(options: { includeExtensions?: boolean } = {}): readonly FilterOperatorSchema[] {
  return OPERATORS.filter((o) => options.includeExtensions || o.origin !== 'extension').map((o) =>
    Object.freeze({
      id: o.name,
      name: o.name,
      arity: o.arity,
      multivaluedComparisonType: o.multivaluedComparisonType,
      supportedAttributeTypes: o.supportedAttributeTypes,
    }),
  );
}
