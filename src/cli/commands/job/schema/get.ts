import type { Command } from 'commander';
import type { Deps, OwnerOptions } from '../../../context.ts';
import { action, ownerOptions, seg, syncBase } from '../../../context.ts';
import { exportSchema } from '../../../schema-files.ts';

/** `provisio job schema get <jobId> [--out f.json]`: GET …/jobs/{id}/schema. */
export function register(noun: Command, deps: Deps): void {
  ownerOptions(noun.command('get')
    .description("Export a job's schema (GET …/jobs/{id}/schema)")
    .argument('<jobId>', 'job id')
    .option('--out <file.json>', "write the schema to this file ('-' for stdout)"))
    .action(action<OwnerOptions & { out?: string }>(deps, async (ctx, o, [id]) => {
      await exportSchema(ctx, `${syncBase(o)}/jobs/${seg(id!)}/schema`, o.out);
    }));
}
