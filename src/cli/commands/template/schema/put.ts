import type { Command } from 'commander';
import type { Deps, OwnerOptions } from '../../../context.ts';
import { action, ownerOptions, seg, syncBase } from '../../../context.ts';
import { importSchema } from '../../../schema-files.ts';

/** `provisio template schema put <templateId> --app <id> --file f.json`: PUT /applications/{id}/synchronization/templates/{id}/schema. */
export function register(noun: Command, deps: Deps): void {
  ownerOptions(noun.command('put')
    .description('Import a template schema from a JSON file (PUT …/templates/{id}/schema; application side only)')
    .argument('<templateId>', 'template id')
    .requiredOption('--file <file.json>', "the complete synchronizationSchema ('-' reads stdin)"))
    .action(action<OwnerOptions & { file: string }>(deps, async (ctx, o, [id]) => {
      await importSchema(ctx, `${syncBase(o, 'Writing a template schema')}/templates/${seg(id!)}/schema`, o.file, `template ${id!}`);
    }));
}
