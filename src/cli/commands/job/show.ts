import type { Command } from 'commander';
import type { Deps, OwnerOptions } from '../../context.ts';
import { action, ownerOptions, seg, syncBase } from '../../context.ts';
import { jobDetails } from '../../views.ts';
import type { Obj } from '../../views.ts';

/** `provisio job show <jobId>`: GET …/synchronization/jobs/{id}. */
export function register(noun: Command, deps: Deps): void {
  ownerOptions(noun.command('show').description('Show a job: schedule, status, quarantine, last run (GET …/jobs/{id})').argument('<jobId>', 'job id'))
    .action(action<OwnerOptions>(deps, async (ctx, o, [id]) => {
      const job = await ctx.client().get<Obj>(`${syncBase(o)}/jobs/${seg(id!)}`);
      ctx.out.result(job, () => jobDetails(job));
    }));
}
