import type { Command } from 'commander';
import type { Deps, OwnerOptions } from '../../context.ts';
import { action, ownerOptions, syncBase } from '../../context.ts';
import { secretColumns } from '../../views.ts';
import type { Obj } from '../../views.ts';

/** `provisio secrets list --sp <id>`: GET …/synchronization/secrets (credential values read back masked). */
export function register(noun: Command, deps: Deps): void {
  ownerOptions(noun.command('list').description('List synchronization secrets; credentials read ****** (GET …/synchronization/secrets)'))
    .action(action<OwnerOptions>(deps, async (ctx, o) => {
      const doc = await ctx.client().list<Obj>(`${syncBase(o)}/secrets`);
      ctx.out.collection(doc, secretColumns, 'secrets');
    }));
}
