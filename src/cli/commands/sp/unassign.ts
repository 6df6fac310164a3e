import type { Command } from 'commander';
import type { Deps } from '../../context.ts';
import { action, seg } from '../../context.ts';

/** `provisio sp unassign <spId> <assignmentId>`: DELETE /v1.0/servicePrincipals/{id}/appRoleAssignedTo/{assignmentId}. */
export function register(noun: Command, deps: Deps): void {
  noun.command('unassign')
    .description('Remove an assignment (DELETE …/appRoleAssignedTo/{assignmentId})')
    .argument('<spId>', 'service principal object id')
    .argument('<assignmentId>', "the assignment's id (see 'sp assignments')")
    .action(action(deps, async (ctx, _o, [spId, assignmentId]) => {
      await ctx.client().request({ method: 'DELETE', path: `/v1.0/servicePrincipals/${seg(spId!)}/appRoleAssignedTo/${seg(assignmentId!)}` });
      ctx.out.done(`Removed assignment ${assignmentId!}.`);
    }));
}
