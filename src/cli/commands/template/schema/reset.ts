import type { Command } from 'commander';
import type { Deps, OwnerOptions } from '../../../context.ts';
import { action, ownerOptions, seg, syncBase } from '../../../context.ts';
import { resetSchema } from '../../../schema-files.ts';

/** `provisio template schema reset <templateId> --app <id>`: DELETE /applications/{id}/synchronization/templates/{id}/schema. */
export function register(noun: Command, deps: Deps): void {
  ownerOptions(noun.command('reset')
    .description("Reset a template schema to its factory default (DELETE …/templates/{id}/schema; application side only)")
    .argument('<templateId>', 'template id'))
    .action(action<OwnerOptions>(deps, async (ctx, o, [id]) => {
      await resetSchema(ctx, `${syncBase(o, 'Resetting a template schema')}/templates/${seg(id!)}/schema`, `template ${id!}`);
    }));
}
