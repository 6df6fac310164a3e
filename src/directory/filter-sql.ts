/**
 * Translates a parsed `$filter` into one SQL predicate over the directory's
 * indexed columns (`*_lc` copies and `dir_values` rows), so filtering always
 * runs in the database, never over rows loaded into memory. String
 * comparisons are case-insensitive, as in Graph: both sides are lower-cased.
 */
import { sql } from 'kysely';
import type { RawBuilder, SqlBool } from 'kysely';
import { errors } from '../errors/graph-error.ts';
import type { FilterLiteral, FilterNode } from '../graph/odata-filter.ts';
import type { PropSpec } from './model.ts';

type Pred = RawBuilder<SqlBool>;

export interface FilterTarget {
  table: 'dir_users' | 'dir_groups';
  /** Graph's resource name in messages: 'User' or 'Group'. */
  resource: string;
  props: readonly PropSpec[];
}

export interface TranslatedFilter {
  where: Pred;
  /** Uses an operator Graph serves only as an advanced query (ne, not, endswith). */
  advanced: string | undefined;
}

// Larger than any page and than Graph's own limit of 15 values for `in`.
const MAX_IN_VALUES = 1000;

/**
 * A prefix test that can use a btree index in both stores: the range
 * narrows the scan (byte order: SQLite's BINARY, PostgreSQL's "C" collation
 * of the *_lc columns), `substr` makes it exact. U+10FFFF sorts after every
 * character a name can hold.
 */
function prefix(col: RawBuilder<unknown>, p: string): Pred {
  const n = [...p].length;
  return sql<SqlBool>`(${col} >= ${p} and ${col} < ${p + '\u{10FFFF}'} and substr(${col}, 1, ${n}) = ${p})`;
}

function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, (c) => '\\' + c);
}

const unsupported = (prop: string, resource: string) =>
  errors.unsupportedQuery(`Unsupported or invalid query filter clause specified for property '${prop}' of resource '${resource}'.`, '$filter');

export function translateFilter(node: FilterNode, target: FilterTarget): TranslatedFilter {
  let advanced: string | undefined;
  const byName = new Map(target.props.map((p) => [p.name.toLowerCase(), p]));
  const id = sql.ref(`${target.table}.id`);

  const propOf = (path: string): PropSpec => {
    const p = byName.get(path.toLowerCase());
    if (!p) throw errors.badRequest(`Could not find a property named '${path}' on type 'microsoft.graph.${target.resource.toLowerCase()}'.`, '$filter');
    return p;
  };

  /** The value a literal compares as, for a property of the given kind. */
  const valueFor = (p: PropSpec, lit: FilterLiteral): string | number | null => {
    if (lit.kind === 'null') return null;
    switch (p.kind) {
      case 'string':
      case 'strings':
        if (lit.kind !== 'string') throw unsupported(p.name, target.resource);
        return lit.value.toLowerCase();
      case 'id':
        if (lit.kind !== 'string') throw unsupported(p.name, target.resource);
        return lit.value;
      case 'boolean':
        if (lit.kind !== 'boolean') throw unsupported(p.name, target.resource);
        return p.column ? (lit.value ? 1 : 0) : String(lit.value);
      case 'dateTime':
        if (lit.kind !== 'dateTime' && lit.kind !== 'string') throw unsupported(p.name, target.resource);
        if (Number.isNaN(Date.parse(lit.value))) throw unsupported(p.name, target.resource);
        return new Date(lit.value).toISOString();
    }
  };

  /** Predicate on dir_values rows of this object for property `prop`. */
  const side = (prop: string, cond: (v: RawBuilder<unknown>) => Pred | undefined): Pred => {
    const v = sql.ref('dv.value_lc');
    const c = cond(v);
    return sql<SqlBool>`${id} in (select dv.object_id from dir_values dv where dv.prop = ${prop}${c ? sql` and ${c}` : sql``})`;
  };

  const leaf = (p: PropSpec, test: (col: RawBuilder<unknown>) => Pred): Pred => {
    if (p.column) {
      const col = sql.ref(`${target.table}.${p.column}`);
      // `col is not null and …` keeps every leaf two-valued, so `not` and `ne` behave as Graph's do on nulls.
      return sql<SqlBool>`(${col} is not null and ${test(col)})`;
    }
    return side(p.name, test);
  };

  const compare = (n: Extract<FilterNode, { type: 'compare' }>, inLambda?: { prop: PropSpec }): Pred => {
    const p = inLambda?.prop ?? propOf(n.path);
    if (p.kind === 'strings' && !inLambda) {
      throw errors.badRequest(`Property '${p.name}' is a collection: use ${p.name}/any(x: x eq '…').`, '$filter');
    }
    const v = valueFor(p, n.value);
    if (n.op === 'ne') advanced ??= 'ne';
    if (!['eq', 'ne'].includes(n.op) && p.kind !== 'dateTime') {
      throw errors.badRequest(`Operator '${n.op}' is not supported on property '${p.name}': use eq, ne, in or startswith.`, '$filter');
    }
    if (v === null) {
      if (n.op !== 'eq' && n.op !== 'ne') throw unsupported(p.name, target.resource);
      const present = p.column ? sql<SqlBool>`${sql.ref(`${target.table}.${p.column}`)} is not null` : side(p.name, () => undefined);
      return n.op === 'eq' ? sql<SqlBool>`not ${present}` : present;
    }
    const op = { eq: '=', ne: '=', gt: '>', ge: '>=', lt: '<', le: '<=' }[n.op];
    const hit = leaf(p, (col) => sql<SqlBool>`${col} ${sql.raw(op)} ${v}`);
    return n.op === 'ne' ? sql<SqlBool>`not ${hit}` : hit;
  };

  const inList = (n: Extract<FilterNode, { type: 'in' }>, inLambda?: { prop: PropSpec }): Pred => {
    const p = inLambda?.prop ?? propOf(n.path);
    if (p.kind === 'strings' && !inLambda) throw errors.badRequest(`Property '${p.name}' is a collection: use ${p.name}/any(x: x in (…)).`, '$filter');
    if (n.values.length > MAX_IN_VALUES) throw errors.badRequest(`Too many values in 'in': at most ${MAX_IN_VALUES}.`, '$filter');
    const values = n.values.map((l) => valueFor(p, l));
    if (values.some((v) => v === null)) throw unsupported(p.name, target.resource);
    return leaf(p, (col) => sql<SqlBool>`${col} in (${sql.join(values)})`);
  };

  const func = (n: Extract<FilterNode, { type: 'func' }>, inLambda?: { prop: PropSpec }): Pred => {
    const p = inLambda?.prop ?? propOf(n.path);
    if (p.kind !== 'string' && p.kind !== 'strings') throw unsupported(p.name, target.resource);
    if (p.kind === 'strings' && !inLambda) throw errors.badRequest(`Property '${p.name}' is a collection: use ${p.name}/any(x: ${n.name}(x, '…')).`, '$filter');
    const v = valueFor(p, n.value);
    if (typeof v !== 'string') throw unsupported(p.name, target.resource);
    if (n.name === 'startswith') return leaf(p, (col) => prefix(col, v));
    advanced ??= 'endsWith';
    return leaf(p, (col) => sql<SqlBool>`${col} like ${'%' + likeEscape(v)} escape '\\'`);
  };

  const lambdaBody = (n: FilterNode, variable: string, prop: PropSpec): Pred => {
    const own = (path: string) => {
      if (path !== variable) throw errors.badRequest(`Inside any(), compare the lambda variable '${variable}', not '${path}'.`, '$filter');
    };
    switch (n.type) {
      case 'compare': own(n.path); return compare(n, { prop });
      case 'in': own(n.path); return inList(n, { prop });
      case 'func': own(n.path); return func(n, { prop });
      case 'and':
      case 'or':
        // Two conditions on the same element need one row to satisfy both;
        // per-row OR is the union of the two, per-row AND would need a self-join. Graph allows only 'or' here too.
        if (n.type === 'and') throw errors.badRequest("Only 'or' may combine conditions inside any().", '$filter');
        return sql<SqlBool>`(${lambdaBody(n.left, variable, prop)} or ${lambdaBody(n.right, variable, prop)})`;
      default:
        throw errors.badRequest('Unsupported expression inside any().', '$filter');
    }
  };

  const walk = (n: FilterNode): Pred => {
    switch (n.type) {
      case 'and': return sql<SqlBool>`(${walk(n.left)} and ${walk(n.right)})`;
      case 'or': return sql<SqlBool>`(${walk(n.left)} or ${walk(n.right)})`;
      case 'not':
        advanced ??= 'not';
        return sql<SqlBool>`(not ${walk(n.operand)})`;
      case 'compare': return compare(n);
      case 'in': return inList(n);
      case 'func': return func(n);
      case 'any': {
        const p = propOf(n.path);
        if (p.kind !== 'strings') throw errors.badRequest(`any() applies to collections; '${p.name}' is not one.`, '$filter');
        return lambdaBody(n.body, n.variable, p);
      }
    }
  };

  return { where: walk(node), advanced };
}
