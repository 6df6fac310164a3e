import type { Command } from 'commander';
import type { Deps, OwnerOptions } from '../../../context.ts';
import { action, ownerOptions, seg, syncBase } from '../../../context.ts';
import { resetSchema } from '../../../schema-files.ts';

/** `provisio job schema reset <jobId>`: DELETE …/jobs/{id}/schema (back to the template's schema). */
export function register(noun: Command, deps: Deps): void {
  ownerOptions(noun.command('reset')
    .description("Reset a job's schema to its template's (DELETE …/jobs/{id}/schema)")
    .argument('<jobId>', 'job id'))
    .action(action<OwnerOptions>(deps, async (ctx, o, [id]) => {
      await resetSchema(ctx, `${syncBase(o)}/jobs/${seg(id!)}/schema`, `job ${id!}`);
    }));
}
