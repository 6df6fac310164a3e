import type { Command } from 'commander';
import type { Deps } from '../../context.ts';
import { action, collect, parseAssignments, seg } from '../../context.ts';
import { usageError } from '../../errors.ts';

/** `provisio user update <id> --set department=Sales …`: PATCH /v1.0/users/{id}. */
export function register(noun: Command, deps: Deps): void {
  noun.command('update')
    .description('Change properties of a directory user (PATCH /v1.0/users/{id})')
    .argument('<id>', 'object id or userPrincipalName')
    .option('--set <property=value>', 'a property to change, e.g. accountEnabled=false (repeatable)', collect)
    .option('--file <patch.json>', "the properties to change as JSON ('-' reads stdin)")
    .action(action<{ set?: string[]; file?: string }>(deps, async (ctx, o, [id]) => {
      const body = { ...(o.file !== undefined ? (ctx.readJson(o.file, 'user') as object) : {}), ...parseAssignments(o.set ?? []) };
      if (!Object.keys(body).length) throw usageError('Nothing to change: give --set property=value or --file.');
      await ctx.client().request({ method: 'PATCH', path: `/v1.0/users/${seg(id!)}`, body });
      ctx.out.done(`Updated user ${id!}.`);
    }));
}
