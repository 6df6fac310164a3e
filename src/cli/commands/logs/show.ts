import type { Command } from 'commander';
import type { Deps } from '../../context.ts';
import { action, seg } from '../../context.ts';
import { logDetails } from '../../views.ts';
import type { Obj } from '../../views.ts';

/** `provisio logs show <id>`: GET /v1.0/auditLogs/provisioning/{id}. */
export function register(noun: Command, deps: Deps): void {
  noun.command('show')
    .description('Show one provisioning event with its steps (GET /v1.0/auditLogs/provisioning/{id})')
    .argument('<id>', 'event id')
    .action(action(deps, async (ctx, _o, [id]) => {
      const e = await ctx.client().get<Obj>(`/v1.0/auditLogs/provisioning/${seg(id!)}`);
      ctx.out.result(e, () => logDetails(e));
    }));
}
