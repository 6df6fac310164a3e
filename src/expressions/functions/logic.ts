/** Conditions, tests, Switch, IgnoreFlowIfNullOrEmpty, BitAnd. */
import type { Expr } from '../ast.ts';
import { walk } from '../ast.ts';
import { IGNORE_FLOW_SIGNAL, readAttribute } from '../runtime.ts';
import type { Evaluator, FunctionImplementation } from '../runtime.ts';
import { isComplex, isNullOrEmpty, normalizeInteger, toBigInt, toScalar, toText, truthy } from '../values.ts';
import type { Value } from '../values.ts';
import { arg, supplied } from './util.ts';

/** Attribute names read anywhere inside a node (for IIF's null check). */
function attributesIn(node: Expr | null): string[] {
  const names = new Set<string>();
  if (node) {
    walk(node, (n) => {
      if (n.kind === 'Attribute') names.add(n.name);
    });
  }
  return [...names];
}

/** Switch keys compare as strings; a null source or key reads as "" (the documented "" key catches null). */
function keyText(v: Value, param: string): string {
  return v === null ? '' : (toText(v, 'Switch', param) ?? '');
}

export const LOGIC_FUNCTIONS: Record<string, FunctionImplementation> = {
  CBool: (site) => {
    const e = arg(site, 0);
    return (ctx) => truthy(e(ctx));
  },
  IIF: (site) => {
    const cond = arg(site, 0);
    const yes = arg(site, 1);
    const no = arg(site, 2);
    // "If the source attribute used within the IIF function is empty or null, the condition check fails."
    const watched = attributesIn(site.args[0]?.node ?? null).map((n) => [n, n.toLowerCase()] as const);
    return (ctx) => {
      for (const [name, lower] of watched) {
        if (isNullOrEmpty(readAttribute(ctx, name, lower))) {
          throw site.error(
            'NullInCondition',
            `IIF: attribute [${name}] in the condition is null or empty, so the condition cannot be evaluated; use Switch([${name}], …, "", …) for a null/empty check`,
          );
        }
      }
      return truthy(cond(ctx)) ? yes(ctx) : no(ctx);
    };
  },
  IsNull: (site) => {
    const e = arg(site, 0);
    return (ctx) => e(ctx) === null;
  },
  IsNothing: (site) => {
    const e = arg(site, 0);
    return (ctx) => e(ctx) === null;
  },
  IsNullOrEmpty: (site) => {
    const e = arg(site, 0);
    return (ctx) => isNullOrEmpty(e(ctx));
  },
  IsPresent: (site) => {
    const e = arg(site, 0);
    return (ctx) => !isNullOrEmpty(e(ctx));
  },
  IsString: (site) => {
    const e = arg(site, 0);
    return (ctx) => {
      const v = e(ctx);
      return v !== null && !Array.isArray(v) && !isComplex(v);
    };
  },
  Not: (site) => {
    const e = arg(site, 0);
    return (ctx) => {
      const v = toScalar(e(ctx), 'Not', 'source');
      const isTrue = v === true || (typeof v === 'string' && v.trim().toLowerCase() === 'true');
      return !isTrue;
    };
  },
  Switch: (site) => {
    const src = arg(site, 0);
    const def = supplied(site, 1) ? arg(site, 1) : null;
    const keys: Evaluator[] = [];
    const values: Evaluator[] = [];
    const constKeys: string[] = [];
    let allConst = true;
    for (let i = 2; i + 1 < site.args.length; i += 2) {
      keys.push(arg(site, i));
      values.push(arg(site, i + 1));
      const c = site.args[i]?.constant;
      if (c === undefined) allConst = false;
      else constKeys.push(keyText(c, 'switchValue'));
    }
    if (allConst) {
      // Literal keys: one map lookup instead of a scan (first key wins, as in a scan).
      const index = new Map<string, Evaluator>();
      constKeys.forEach((k, i) => {
        if (!index.has(k)) index.set(k, values[i] as Evaluator);
      });
      return (ctx) => {
        const hit = index.get(keyText(src(ctx), 'source'));
        if (hit) return hit(ctx);
        return def ? def(ctx) : null;
      };
    }
    return (ctx) => {
      const key = keyText(src(ctx), 'source');
      for (let i = 0; i < keys.length; i++) {
        if (keyText((keys[i] as Evaluator)(ctx), 'switchValue') === key) return (values[i] as Evaluator)(ctx);
      }
      return def ? def(ctx) : null;
    };
  },
  IgnoreFlowIfNullOrEmpty: (site) => {
    // Only reached when nested: the compiler handles it at the top level without throwing.
    const e = arg(site, 0);
    return (ctx) => {
      const v = e(ctx);
      if (isNullOrEmpty(v)) throw IGNORE_FLOW_SIGNAL;
      return v;
    };
  },
  BitAnd: (site) => {
    const a = arg(site, 0);
    const b = arg(site, 1);
    return (ctx) => {
      const x = toBigInt(a(ctx), 'BitAnd', 'value1');
      const y = toBigInt(b(ctx), 'BitAnd', 'value2');
      if (x === null || y === null) return null;
      return normalizeInteger(BigInt.asIntN(64, x) & BigInt.asIntN(64, y));
    };
  },
};
