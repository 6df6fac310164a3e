/**
 * The scope stage: is an object in provisioning scope? Entra's rules
 * (entra-behavior.md §3.3): assigned to the application (directly, or as a
 * direct member of an assigned group) unless the job syncs all; active in
 * the source (not soft-deleted, sign-in enabled); and passing the object
 * mapping's scoping filter.
 */
import type { CompiledObjectMapping } from './mapping-plan.ts';

export interface ScopeDecision {
  /** Processed at all: fails only the experimental input filter (objects failing it are never deprovisioned). */
  processed: boolean;
  assigned: boolean;
  active: boolean;
  filterPassed: boolean;
  inScope: boolean;
  details: Record<string, string>;
}

const yes = (b: boolean) => (b ? 'True' : 'False');

export function decideScope(mapping: CompiledObjectMapping, bag: Readonly<Record<string, unknown>>, opts: { assigned: boolean; active: boolean; syncAll: boolean }): ScopeDecision {
  const processed = !mapping.hasScope || mapping.scope.passesInputFilter(bag);
  const filterPassed = !mapping.hasScope || (mapping.scope.inScope(bag) && mapping.scope.inCategory(bag));
  const assigned = opts.syncAll || opts.assigned;
  const inScope = processed && assigned && opts.active && filterPassed;
  const details: Record<string, string> = {
    'Active in the source system': yes(opts.active),
    'Assigned to the application': yes(opts.assigned),
    'Scope sync all': yes(opts.syncAll),
    'Scoping filter evaluation passed': yes(filterPassed),
  };
  if (mapping.hasScope) details.ScopeEvaluationResult = JSON.stringify(mapping.scope.explain(bag));
  return { processed, assigned, active: opts.active, filterPassed, inScope, details };
}
