import type { Command } from 'commander';
import type { Deps, OwnerOptions } from '../../../context.ts';
import { action, ownerOptions, seg, syncBase } from '../../../context.ts';
import { importSchema } from '../../../schema-files.ts';

/** `provisio job schema put <jobId> --file f.json`: PUT …/jobs/{id}/schema (replaces the whole schema). */
export function register(noun: Command, deps: Deps): void {
  ownerOptions(noun.command('put')
    .description("Import a job's schema from a JSON file; replaces it whole (PUT …/jobs/{id}/schema)")
    .argument('<jobId>', 'job id')
    .requiredOption('--file <file.json>', "the complete synchronizationSchema ('-' reads stdin)"))
    .action(action<OwnerOptions & { file: string }>(deps, async (ctx, o, [id]) => {
      await importSchema(ctx, `${syncBase(o)}/jobs/${seg(id!)}/schema`, o.file, `job ${id!}`);
    }));
}
