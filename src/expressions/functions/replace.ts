/**
 * Replace(source, oldValue, regexPattern, regexGroupName, replacementValue,
 * replacementAttributeName, template) — five modes chosen by which
 * arguments are supplied, checked in the documented order.
 */
import { firstGroupValue, regexReplace, RegexTranslationError, replaceGroup, translateRegex } from '../dotnet-regex.ts';
import type { TranslatedRegex } from '../dotnet-regex.ts';
import { ExpressionError } from '../errors.ts';
import { readAttribute } from '../runtime.ts';
import type { CallSite, EvaluationContext, Evaluator, FunctionImplementation } from '../runtime.ts';
import { isNullOrEmpty, toText } from '../values.ts';
import { arg, constant, supplied, textArg } from './util.ts';

export const REPLACE_SLOTS = {
  source: 0,
  oldValue: 1,
  regexPattern: 2,
  regexGroupName: 3,
  replacementValue: 4,
  replacementAttributeName: 5,
  template: 6,
} as const;

export type ReplaceMode = 'template' | 'literal' | 'groupFromAttribute' | 'groupReplace' | 'regexReplace';

/** Which arguments each mode uses (slot numbers), for "ignored argument" warnings. */
export const REPLACE_MODE_SLOTS: Record<ReplaceMode, readonly number[]> = {
  template: [0, 1, 6],
  literal: [0, 1, 4],
  groupFromAttribute: [0, 2, 3, 5],
  groupReplace: [0, 2, 3, 4],
  regexReplace: [0, 2, 4],
};

/** The documented mode for the supplied slots, or null when no mode applies. */
export function replaceMode(has: (slot: number) => boolean): ReplaceMode | null {
  const S = REPLACE_SLOTS;
  if (has(S.oldValue) && has(S.template)) return 'template';
  if (has(S.oldValue) && has(S.replacementValue)) return 'literal';
  if (has(S.regexPattern) && has(S.regexGroupName) && has(S.replacementAttributeName)) return 'groupFromAttribute';
  if (has(S.regexPattern) && has(S.regexGroupName) && has(S.replacementValue)) return 'groupReplace';
  if (has(S.regexPattern) && has(S.replacementValue)) return 'regexReplace';
  return null;
}

function regexFor(site: CallSite, pattern: string, atCompile: boolean): TranslatedRegex {
  try {
    return translateRegex(pattern);
  } catch (e) {
    if (!(e instanceof RegexTranslationError)) throw e;
    const message = `Replace: regular expression ${JSON.stringify(pattern)}: ${e.message}`;
    if (atCompile) {
      const at = site.args[REPLACE_SLOTS.regexPattern]?.node?.span?.start ?? null;
      throw new ExpressionError('InvalidRegex', message, at);
    }
    throw site.error('RegexFailure', message);
  }
}

function withRegex<T>(site: CallSite, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof RegexTranslationError) throw site.error('RegexFailure', `Replace: ${e.message}`);
    throw e;
  }
}

export const replace: FunctionImplementation = (site) => {
  const S = REPLACE_SLOTS;
  const mode = replaceMode((i) => supplied(site, i));
  if (mode === null) throw site.error('InvalidArgument', 'Replace: no documented mode matches the supplied arguments');
  const src = textArg(site, S.source, 'source');
  const text = (slot: number, name: string): ((ctx: EvaluationContext) => string | null) => textArg(site, slot, name);

  // A literal pattern is translated once, here; a computed one per evaluation (translations are cached).
  const patternConst = constant(site, S.regexPattern);
  const fixed = patternConst !== undefined && patternConst !== null ? regexFor(site, toText(patternConst, 'Replace', 'regexPattern') ?? '', true) : null;
  const patternArg = text(S.regexPattern, 'regexPattern');
  const regex = (ctx: EvaluationContext): TranslatedRegex | null => {
    if (fixed) return fixed;
    const p = patternArg(ctx);
    return p === null ? null : regexFor(site, p, false);
  };

  switch (mode) {
    case 'template': {
      const old = text(S.oldValue, 'oldValue');
      const tpl = text(S.template, 'template');
      return (ctx) => {
        const s = src(ctx);
        if (s === null) return null;
        const t = tpl(ctx);
        if (t === null) return null;
        const o = old(ctx);
        return o === null || o === '' ? t : t.split(o).join(s);
      };
    }
    case 'literal': {
      const old = text(S.oldValue, 'oldValue');
      const rep = text(S.replacementValue, 'replacementValue');
      return (ctx) => {
        const s = src(ctx);
        if (s === null) return null;
        const o = old(ctx);
        if (o === null || o === '') return s;
        return s.split(o).join(rep(ctx) ?? '');
      };
    }
    case 'groupFromAttribute': {
      const group = text(S.regexGroupName, 'regexGroupName');
      // Written as an attribute reference ([mobile]); a string constant names the attribute.
      const nameNode = site.args[S.replacementAttributeName]?.node;
      const other: Evaluator =
        nameNode?.kind === 'String'
          ? ((name: string, lower: string): Evaluator => (ctx) => readAttribute(ctx, name, lower))(nameNode.value, nameNode.value.toLowerCase())
          : arg(site, S.replacementAttributeName);
      return (ctx) => {
        const sv = site.args[S.source]?.evaluate?.(ctx) ?? null;
        if (!isNullOrEmpty(sv)) return toText(sv, 'Replace', 'source');
        const o = toText(other(ctx), 'Replace', 'replacementAttributeName');
        const re = regex(ctx);
        const g = group(ctx);
        if (o === null || re === null || g === null) return null;
        return withRegex(site, () => firstGroupValue(re, o, g));
      };
    }
    case 'groupReplace': {
      const group = text(S.regexGroupName, 'regexGroupName');
      const rep = text(S.replacementValue, 'replacementValue');
      return (ctx) => {
        const s = src(ctx);
        if (s === null) return null;
        const re = regex(ctx);
        const g = group(ctx);
        if (re === null || g === null) return s;
        return withRegex(site, () => replaceGroup(re, s, g, rep(ctx) ?? ''));
      };
    }
    case 'regexReplace': {
      const rep = text(S.replacementValue, 'replacementValue');
      return (ctx) => {
        const s = src(ctx);
        if (s === null) return null;
        const re = regex(ctx);
        if (re === null) return s;
        return regexReplace(re, s, rep(ctx) ?? '');
      };
    }
  }
};
