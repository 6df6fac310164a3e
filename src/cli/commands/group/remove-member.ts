import type { Command } from 'commander';
import type { Deps } from '../../context.ts';
import { action, seg } from '../../context.ts';

/** `provisio group remove-member <groupId> <memberId>`: DELETE /v1.0/groups/{id}/members/{memberId}/$ref. */
export function register(noun: Command, deps: Deps): void {
  noun.command('remove-member')
    .description('Remove a member from a group (DELETE /v1.0/groups/{id}/members/{memberId}/$ref)')
    .argument('<groupId>', 'group object id')
    .argument('<memberId>', 'object id of the member')
    .action(action(deps, async (ctx, _o, [groupId, memberId]) => {
      await ctx.client().request({ method: 'DELETE', path: `/v1.0/groups/${seg(groupId!)}/members/${seg(memberId!)}/$ref` });
      ctx.out.done(`Removed ${memberId!} from group ${groupId!}.`);
    }));
}
