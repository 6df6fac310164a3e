/** Multi-valued attributes and app roles. */
import type { FunctionImplementation } from '../runtime.ts';
import { isComplex, scalarToString, toInt, toList } from '../values.ts';
import type { ComplexValue, Scalar, Value } from '../values.ts';
import { arg } from './util.ts';

interface Role {
  readonly value: string;
  readonly displayName: string;
}

/**
 * App role assignments as the functions see them. Strings (Graph's
 * parseExpression sample passes `["Default Assignment"]`) are both the value
 * and the display name; objects use `value` and `displayName`.
 */
export function rolesOf(v: Value): Role[] {
  const out: Role[] = [];
  for (const s of toList(v)) {
    if (typeof s === 'string') {
      if (s !== '') out.push({ value: s, displayName: s });
    } else if (isComplex(s)) {
      const o = s as ComplexValue;
      const value = typeof o.value === 'string' && o.value !== '' ? o.value : typeof o.displayName === 'string' ? o.displayName : '';
      const displayName = typeof o.displayName === 'string' && o.displayName !== '' ? o.displayName : value;
      if (value !== '') out.push({ value, displayName });
    } else {
      const t = scalarToString(s);
      if (t !== '') out.push({ value: t, displayName: t });
    }
  }
  return out;
}

/** The SCIM role objects AppRoleAssignmentsComplex produces ("All roles are provisioned as primary = false"). */
function complexRoles(v: Value): Value {
  const roles = rolesOf(v);
  if (roles.length === 0) return null;
  return roles.map(
    (r): ComplexValue => Object.freeze({ primary: false, type: 'WindowsAzureActiveDirectoryRole', display: r.displayName, value: r.value }),
  );
}

export const COLLECTION_FUNCTIONS: Record<string, FunctionImplementation> = {
  Count: (site) => {
    const e = arg(site, 0);
    return (ctx) => toList(e(ctx)).length;
  },
  Item: (site) => {
    const e = arg(site, 0);
    const idx = arg(site, 1);
    return (ctx) => {
      const v = e(ctx);
      if (v === null) return null;
      const list = toList(v);
      const i = toInt(idx(ctx), 'Item', 'index');
      if (i === null) throw site.error('InvalidArgument', 'Item: index is null');
      if (i < 1 || i > list.length) {
        throw site.error('IndexOutOfRange', `Item: index ${i} is out of range; the attribute has ${list.length} value(s) and indexes start at 1`);
      }
      return list[i - 1] as Scalar;
    };
  },
  RemoveDuplicates: (site) => {
    const e = arg(site, 0);
    return (ctx) => {
      const v = e(ctx);
      if (v === null) return null;
      const seen = new Set<string>();
      const out: Scalar[] = [];
      for (const s of toList(v)) {
        // Ordinal (case-sensitive) comparison; the first occurrence keeps its place.
        const key = typeof s === 'string' ? 's' + s : typeof s + ':' + scalarToString(s);
        if (seen.has(key)) continue;
        seen.add(key);
        out.push(s);
      }
      return out;
    };
  },
  AppRoleAssignments: (site) => {
    const e = arg(site, 0);
    return (ctx) => {
      const roles = rolesOf(e(ctx));
      return roles.length === 0 ? null : roles.map((r) => r.value);
    };
  },
  AppRoleAssignmentsComplex: (site) => {
    const e = arg(site, 0);
    return (ctx) => complexRoles(e(ctx));
  },
  AssertiveAppRoleAssignmentsComplex: (site) => {
    const e = arg(site, 0);
    return (ctx) => complexRoles(e(ctx));
  },
  SingleAppRoleAssignment: (site) => {
    const e = arg(site, 0);
    // "There's no guarantee which role is provisioned" with several roles: we take the first.
    return (ctx) => rolesOf(e(ctx))[0]?.value ?? null;
  },
};
