import type { Command } from 'commander';
import type { Deps, OwnerOptions } from '../../context.ts';
import { action, ownerOptions, syncBase } from '../../context.ts';
import { usageError } from '../../errors.ts';
import { withoutAnnotations } from '../../schema-files.ts';
import type { Obj } from '../../views.ts';

/**
 * `provisio sync put --file f.json`: PUT …/synchronization, the operation
 * behind Set-MgServicePrincipalSynchronization (secrets, jobs and templates
 * in one transaction; docs/synchronization-api.md).
 */
export function register(noun: Command, deps: Deps): void {
  ownerOptions(noun.command('put')
    .description('Replace secrets and upsert jobs and templates in one request (PUT …/synchronization)')
    .requiredOption('--file <file.json>', "a synchronization object: {secrets?, jobs?, templates?} ('-' reads stdin)"))
    .action(action<OwnerOptions & { file: string }>(deps, async (ctx, o) => {
      const doc = ctx.readJson(o.file, 'synchronization');
      if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw usageError(`The file '${o.file}' must hold a synchronization object.`, 'InvalidInputFile');
      await ctx.client().request({ method: 'PUT', path: syncBase(o), body: withoutAnnotations(doc as Obj) });
      ctx.out.done(`Updated the synchronization from ${o.file}.`);
    }));
}
