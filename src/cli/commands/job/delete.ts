import type { Command } from 'commander';
import type { Deps, OwnerOptions } from '../../context.ts';
import { action, ownerOptions, seg, syncBase } from '../../context.ts';

/** `provisio job delete <jobId>`: DELETE …/jobs/{id} (accounts in the target are left as they are). */
export function register(noun: Command, deps: Deps): void {
  ownerOptions(noun.command('delete').description('Delete a job and all its state (DELETE …/jobs/{id})').argument('<jobId>', 'job id'))
    .action(action<OwnerOptions>(deps, async (ctx, o, [id]) => {
      await ctx.client().request({ method: 'DELETE', path: `${syncBase(o)}/jobs/${seg(id!)}` });
      ctx.out.done(`Deleted job ${id!}.`);
    }));
}
