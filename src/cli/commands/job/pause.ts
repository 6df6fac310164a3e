import type { Command } from 'commander';
import type { Deps, OwnerOptions } from '../../context.ts';
import { action, ownerOptions, seg, syncBase } from '../../context.ts';

/** `provisio job pause <jobId>`: POST …/jobs/{id}/pause. */
export function register(noun: Command, deps: Deps): void {
  ownerOptions(noun.command('pause').description('Pause a job; it resumes where it stopped (POST …/jobs/{id}/pause)').argument('<jobId>', 'job id'))
    .action(action<OwnerOptions>(deps, async (ctx, o, [id]) => {
      await ctx.client().request({ method: 'POST', path: `${syncBase(o)}/jobs/${seg(id!)}/pause` });
      ctx.out.done(`Paused job ${id!}.`);
    }));
}
