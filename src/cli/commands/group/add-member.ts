import type { Command } from 'commander';
import type { Deps } from '../../context.ts';
import { action, seg } from '../../context.ts';
import { CliError } from '../../errors.ts';

/**
 * `provisio group add-member <groupId> <memberId…>`: POST
 * /v1.0/groups/{id}/members/$ref with Graph's `@odata.id` reference body,
 * once per member, in order. A failure stops there; when earlier members
 * were already added, the error line names them, so that a rerun can leave
 * them out (adding a member twice is refused).
 */
export function register(noun: Command, deps: Deps): void {
  noun.command('add-member')
    .description('Add users or groups to a group (POST /v1.0/groups/{id}/members/$ref)')
    .argument('<groupId>', 'group object id')
    .argument('<memberIds...>', 'object ids of the users or groups to add')
    .action(action(deps, async (ctx, _o, [groupId, memberArg]) => {
      const members = memberArg as unknown as string[];
      const client = ctx.client();
      const added: string[] = [];
      for (const m of members) {
        try {
          await client.request({
            method: 'POST',
            path: `/v1.0/groups/${seg(groupId!)}/members/$ref`,
            body: { '@odata.id': `${client.server}/v1.0/directoryObjects/${seg(m)}` },
          });
        } catch (e) {
          if (!(e instanceof CliError) || !added.length) throw e;
          throw new CliError(e.exitCode, e.code, `${e.message} (adding ${m}; already added: ${added.join(', ')})`, {
            ...(e.status !== undefined ? { status: e.status } : {}),
            ...(e.requestId !== undefined ? { requestId: e.requestId } : {}),
            cause: e,
          });
        }
        added.push(m);
      }
      ctx.out.done(`Added ${members.length} member${members.length === 1 ? '' : 's'} to group ${groupId!}.`);
    }));
}
