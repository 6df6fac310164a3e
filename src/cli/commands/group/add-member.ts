import type { Command } from 'commander';
import type { Deps } from '../../context.ts';
import { action, seg } from '../../context.ts';

/**
 * `provisio group add-member <groupId> <memberId…>`: POST
 * /v1.0/groups/{id}/members/$ref with Graph's `@odata.id` reference body,
 * once per member.
 */
export function register(noun: Command, deps: Deps): void {
  noun.command('add-member')
    .description('Add users or groups to a group (POST /v1.0/groups/{id}/members/$ref)')
    .argument('<groupId>', 'group object id')
    .argument('<memberIds...>', 'object ids of the users or groups to add')
    .action(action(deps, async (ctx, _o, [groupId, memberArg]) => {
      const members = memberArg as unknown as string[];
      const client = ctx.client();
      for (const m of members) {
        await client.request({
          method: 'POST',
          path: `/v1.0/groups/${seg(groupId!)}/members/$ref`,
          body: { '@odata.id': `${client.server}/v1.0/directoryObjects/${seg(m)}` },
        });
      }
      ctx.out.done(`Added ${members.length} member${members.length === 1 ? '' : 's'} to group ${groupId!}.`);
    }));
}
