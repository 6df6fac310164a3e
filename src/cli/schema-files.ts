/**
 * Schema export and import, shared by `job schema …` and `template schema …`:
 * a synchronization schema goes to a JSON file, gets edited, and comes back
 * with PUT, which replaces the whole schema (graph-sync-api.md §3.4.2).
 */
import type { CliContext } from './context.ts';
import { usageError } from './errors.ts';
import type { Obj } from './views.ts';
import { schemaSummary } from './views.ts';

/** The resource without the response's annotations: what a file should hold and PUT should send. */
export function withoutAnnotations(doc: Obj): Obj {
  return Object.fromEntries(Object.entries(doc).filter(([k]) => !k.startsWith('@odata.')));
}

/** GET …/schema: printed as a summary (people) or JSON (scripts), and written to `out` when given. */
export async function exportSchema(ctx: CliContext, path: string, out: string | undefined): Promise<void> {
  const schema = await ctx.client().get<Obj>(path);
  if (out !== undefined) {
    ctx.writeJson(out, withoutAnnotations(schema));
    if (out === '-') return;
  }
  ctx.out.result(schema, () => (out !== undefined ? `Wrote schema ${String(schema.id ?? '')} (version ${String(schema.version ?? '-')}) to ${out}.\n` : schemaSummary(schema)));
}

/** PUT …/schema from a JSON file. */
export async function importSchema(ctx: CliContext, path: string, file: string, what: string): Promise<void> {
  const doc = ctx.readJson(file, 'schema');
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw usageError(`The schema file '${file}' must hold a synchronizationSchema object.`, 'InvalidInputFile');
  await ctx.client().request({ method: 'PUT', path, body: withoutAnnotations(doc as Obj) });
  ctx.out.done(`Replaced the schema of ${what} from ${file}.`);
}

/** DELETE …/schema: back to the template's (or the factory's) default. */
export async function resetSchema(ctx: CliContext, path: string, what: string): Promise<void> {
  await ctx.client().request({ method: 'DELETE', path });
  ctx.out.done(`Reset the schema of ${what} to its default.`);
}
