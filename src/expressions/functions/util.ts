/** Small helpers shared by the function implementations. */
import type { CallSite, Evaluator } from '../runtime.ts';
import { toText } from '../values.ts';
import type { Value } from '../values.ts';

const NULL_EVALUATOR: Evaluator = () => null;

/** The evaluator of argument `i`, or one that yields null when the slot is empty. */
export function arg(site: CallSite, i: number): Evaluator {
  return site.args[i]?.evaluate ?? NULL_EVALUATOR;
}

/** True when argument slot `i` is present and not empty. */
export function supplied(site: CallSite, i: number): boolean {
  return site.args[i]?.evaluate != null;
}

/** The literal value of argument `i`, or undefined when it is not a literal. */
export function constant(site: CallSite, i: number): Value | undefined {
  return site.args[i]?.constant;
}

/** The evaluators of every argument from `from` on (repeating parameters), skipping empty slots. */
export function rest(site: CallSite, from: number): Evaluator[] {
  const out: Evaluator[] = [];
  for (let i = from; i < site.args.length; i++) {
    const e = site.args[i]?.evaluate;
    if (e) out.push(e);
  }
  return out;
}

/** An evaluator of argument `i` read as one string (null stays null). */
export function textArg(site: CallSite, i: number, param: string): (ctx: Parameters<Evaluator>[0]) => string | null {
  const e = arg(site, i);
  const name = site.name;
  return (ctx) => toText(e(ctx), name, param);
}
