import type { Command } from 'commander';
import type { Deps, ListOptions } from '../../context.ts';
import { action, listOptions, notePaging } from '../../context.ts';
import { selectedColumns, userColumns } from '../../views.ts';
import type { Obj } from '../../views.ts';

/**
 * What the table asks for when `--select` names nothing: Graph's default
 * user properties leave out accountEnabled, which the ENABLED column shows.
 */
const TABLE_SELECT = 'id,userPrincipalName,displayName,accountEnabled';

/**
 * `provisio user list [--filter …] [--select …]`: GET /v1.0/users. With
 * `--select` the table shows the selected properties; `--json` prints what
 * the server sent for the query as given (Graph's default set without
 * `--select`).
 */
export function register(noun: Command, deps: Deps): void {
  listOptions(noun.command('list')
    .description('List directory users (GET /v1.0/users)')
    .option('--filter <odata>', "a $filter, e.g. \"startswith(displayName,'Ad')\"")
    .option('--select <props>', 'a $select, e.g. id,displayName,department (also the columns of the table)'))
    .action(action<ListOptions & { filter?: string; select?: string }>(deps, async (ctx, o) => {
      const select = o.select ?? (ctx.out.json ? undefined : TABLE_SELECT);
      const doc = await ctx.client().list<Obj>('/v1.0/users', { $filter: o.filter, $select: select, $top: o.top }, o.all);
      ctx.out.collection(doc, o.select !== undefined ? selectedColumns(o.select) : userColumns, 'users');
      notePaging(ctx, doc);
    }));
}
