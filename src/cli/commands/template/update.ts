import type { Command } from 'commander';
import type { Deps, OwnerOptions } from '../../context.ts';
import { action, ownerOptions, seg, syncBase } from '../../context.ts';
import { usageError } from '../../errors.ts';
import { withoutAnnotations } from '../../schema-files.ts';
import type { Obj } from '../../views.ts';

/**
 * `provisio template update <templateId> --app <id> --file t.json`: replaces
 * the template (PUT /applications/{id}/synchronization/templates/{id});
 * properties the file leaves out are erased, as Graph documents.
 */
export function register(noun: Command, deps: Deps): void {
  ownerOptions(noun.command('update')
    .description('Replace a template from a JSON file (PUT /applications/{id}/synchronization/templates/{id}; application side only)')
    .argument('<templateId>', 'template id')
    .requiredOption('--file <file.json>', "the complete synchronizationTemplate ('-' reads stdin)"))
    .action(action<OwnerOptions & { file: string }>(deps, async (ctx, o, [id]) => {
      const path = `${syncBase(o, 'Updating a template')}/templates/${seg(id!)}`;
      const doc = ctx.readJson(o.file, 'template');
      if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw usageError(`The template file '${o.file}' must hold a synchronizationTemplate object.`, 'InvalidInputFile');
      await ctx.client().request({ method: 'PUT', path, body: withoutAnnotations(doc as Obj) });
      ctx.out.done(`Replaced template ${id!}.`);
    }));
}
