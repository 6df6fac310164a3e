import type { Command } from 'commander';
import type { Deps, OwnerOptions } from '../../context.ts';
import { action, ownerOptions, syncBase } from '../../context.ts';
import { jobColumns } from '../../views.ts';
import type { Obj } from '../../views.ts';

/** `provisio job list --sp <id>`: GET …/synchronization/jobs. */
export function register(noun: Command, deps: Deps): void {
  ownerOptions(noun.command('list').description('List synchronization jobs (GET …/synchronization/jobs)'))
    .action(action<OwnerOptions>(deps, async (ctx, o) => {
      const doc = await ctx.client().list<Obj>(`${syncBase(o)}/jobs`);
      ctx.out.collection(doc, jobColumns, 'jobs');
    }));
}
