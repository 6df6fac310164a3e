import type { Command } from 'commander';
import type { Deps, OwnerOptions } from '../../context.ts';
import { action, ownerOptions, seg, syncBase } from '../../context.ts';

/** `provisio job start <jobId>`: POST …/jobs/{id}/start (resumes a paused job, clears quarantine). */
export function register(noun: Command, deps: Deps): void {
  ownerOptions(noun.command('start').description('Start or resume a job; clears quarantine (POST …/jobs/{id}/start)').argument('<jobId>', 'job id'))
    .action(action<OwnerOptions>(deps, async (ctx, o, [id]) => {
      await ctx.client().request({ method: 'POST', path: `${syncBase(o)}/jobs/${seg(id!)}/start` });
      ctx.out.done(`Started job ${id!}.`);
    }));
}
