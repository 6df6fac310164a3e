import type { Command } from 'commander';
import type { Deps, OwnerOptions } from '../../context.ts';
import { action, ownerOptions, seg, syncBase } from '../../context.ts';

/**
 * `provisio job restart <jobId> [--scope "Watermark, Escrows"]`:
 * POST …/jobs/{id}/restart. Without --scope no body is sent, which Graph
 * reads as the portal's "Restart provisioning".
 */
export function register(noun: Command, deps: Deps): void {
  ownerOptions(noun.command('restart')
    .description('Restart a job, optionally resetting state (POST …/jobs/{id}/restart)')
    .argument('<jobId>', 'job id')
    .option('--scope <flags>', 'resetScope flags: Escrows, Watermark, QuarantineState, ConnectorDataStore, ForceDeletes, Full, None'))
    .action(action<OwnerOptions & { scope?: string }>(deps, async (ctx, o, [id]) => {
      const body = o.scope === undefined ? undefined : { criteria: { resetScope: o.scope } };
      await ctx.client().request({ method: 'POST', path: `${syncBase(o)}/jobs/${seg(id!)}/restart`, body });
      ctx.out.done(`Restarted job ${id!}${o.scope === undefined ? '' : ` (reset: ${o.scope || 'nothing'})`}.`);
    }));
}
