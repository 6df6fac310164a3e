import type { Command } from 'commander';
import type { Deps, OwnerOptions } from '../../context.ts';
import { action, collect, ownerOptions, parsePairs, syncBase } from '../../context.ts';
import { jobDetails } from '../../views.ts';
import type { Obj } from '../../views.ts';

/** `provisio job create --template <id>`: POST …/synchronization/jobs. */
export function register(noun: Command, deps: Deps): void {
  ownerOptions(noun.command('create')
    .description('Create a synchronization job from a template (POST …/synchronization/jobs); it starts disabled')
    .requiredOption('--template <templateId>', "the template the job is built from (see 'template list')")
    .option('--interval <duration>', 'schedule interval as an ISO 8601 duration, e.g. PT40M')
    .option('--setting <name=value>', 'a synchronizationJobSettings entry (repeatable)', collect))
    .action(action<OwnerOptions & { template: string; interval?: string; setting?: string[] }>(deps, async (ctx, o) => {
      const body: Obj = { templateId: o.template };
      if (o.interval !== undefined) body.schedule = { interval: o.interval };
      if (o.setting?.length) body.synchronizationJobSettings = parsePairs(o.setting, '--setting').map((p) => ({ name: p.key, value: p.value }));
      const job = (await ctx.client().request<Obj>({ method: 'POST', path: `${syncBase(o)}/jobs`, body })).body ?? {};
      ctx.out.result(job, () => jobDetails(job));
    }));
}
