import type { Command } from 'commander';
import type { Deps, OwnerOptions } from '../../context.ts';
import { action, ownerOptions, syncBase } from '../../context.ts';
import { renderFields } from '../../output.ts';
import { withoutAnnotations } from '../../schema-files.ts';
import type { Obj } from '../../views.ts';

/** `provisio sync get [--expand jobs,templates] [--out f.json]`: GET …/synchronization. */
export function register(noun: Command, deps: Deps): void {
  ownerOptions(noun.command('get')
    .description('Show the whole synchronization object (GET …/synchronization)')
    .option('--expand <what>', 'inline jobs and/or templates: jobs, templates or jobs,templates')
    .option('--out <file.json>', "write it to a file ('-' for stdout), e.g. to edit and 'sync put'"))
    .action(action<OwnerOptions & { expand?: string; out?: string }>(deps, async (ctx, o) => {
      const doc = await ctx.client().get<Obj>(syncBase(o), { $expand: o.expand });
      if (o.out !== undefined) {
        ctx.writeJson(o.out, withoutAnnotations(doc));
        if (o.out === '-') return;
      }
      ctx.out.result(doc, () => {
        if (o.out !== undefined) return `Wrote the synchronization of ${String(doc.id)} to ${o.out}.\n`;
        const list = (k: string) => (Array.isArray(doc[k]) ? (doc[k] as Obj[]) : undefined);
        return renderFields([
          ['id', doc.id],
          ['secrets', list('secrets')?.map((s) => String(s.key)).join(', ')],
          ['jobs', list('jobs')?.map((j) => `${String(j.id)} (${String((j.status as Obj | undefined)?.code ?? '?')})`).join(', ')],
          ['templates', list('templates')?.map((t) => String(t.id)).join(', ')],
        ]);
      });
    }));
}
