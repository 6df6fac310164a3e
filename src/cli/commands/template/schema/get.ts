import type { Command } from 'commander';
import type { Deps, OwnerOptions } from '../../../context.ts';
import { action, ownerOptions, seg, syncBase } from '../../../context.ts';
import { exportSchema } from '../../../schema-files.ts';

/** `provisio template schema get <templateId> [--out f.json]`: GET …/templates/{id}/schema. */
export function register(noun: Command, deps: Deps): void {
  ownerOptions(noun.command('get')
    .description('Export a template schema (GET …/templates/{id}/schema)')
    .argument('<templateId>', 'template id')
    .option('--out <file.json>', "write the schema to this file ('-' for stdout)"))
    .action(action<OwnerOptions & { out?: string }>(deps, async (ctx, o, [id]) => {
      await exportSchema(ctx, `${syncBase(o)}/templates/${seg(id!)}/schema`, o.out);
    }));
}
