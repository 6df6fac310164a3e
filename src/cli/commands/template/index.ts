/** `provisio template …`: synchronization templates and their schemas. */
import type { Command } from 'commander';
import type { Deps } from '../../context.ts';
import { register as list } from './list.ts';
import { register as show } from './show.ts';
import { register as update } from './update.ts';
import { register as schemaGet } from './schema/get.ts';
import { register as schemaPut } from './schema/put.ts';
import { register as schemaReset } from './schema/reset.ts';

/** Registers `provisio template` and its verbs on the root command. */
export function registerTemplate(program: Command, deps: Deps): void {
  const noun = program.command('template').description('Synchronization templates of a service principal or application');
  for (const verb of [list, show, update]) verb(noun, deps);
  const schema = noun.command('schema').description('Template schemas: export to and import from JSON files');
  for (const verb of [schemaGet, schemaPut, schemaReset]) verb(schema, deps);
}
