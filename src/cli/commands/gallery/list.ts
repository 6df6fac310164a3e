import type { Command } from 'commander';
import type { Deps } from '../../context.ts';
import { action } from '../../context.ts';
import { usageError } from '../../errors.ts';
import { galleryColumns } from '../../views.ts';
import type { Obj } from '../../views.ts';

/** An OData string literal: quotes doubled. */
const literal = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** `provisio gallery list [--name <prefix>]`: GET /v1.0/applicationTemplates. */
export function register(noun: Command, deps: Deps): void {
  noun.command('list')
    .description('List application templates (GET /v1.0/applicationTemplates)')
    .option('--name <prefix>', "only templates whose display name starts with this (startswith(displayName,'…'))")
    .option('--filter <odata>', "a raw $filter, e.g. \"displayName eq 'SCIM 2.0 application'\"")
    .action(action<{ name?: string; filter?: string }>(deps, async (ctx, o) => {
      if (o.name !== undefined && o.filter !== undefined) throw usageError('Give either --name or --filter, not both.');
      const filter = o.filter ?? (o.name !== undefined ? `startswith(displayName,${literal(o.name)})` : undefined);
      const doc = await ctx.client().list<Obj>('/v1.0/applicationTemplates', { $filter: filter });
      ctx.out.collection(doc, galleryColumns, 'application templates');
    }));
}
