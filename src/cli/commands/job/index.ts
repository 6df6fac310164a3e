/** `provisio job …`: synchronization jobs, their schemas, provisioning on demand. */
import type { Command } from 'commander';
import type { Deps } from '../../context.ts';
import { register as create } from './create.ts';
import { register as list } from './list.ts';
import { register as show } from './show.ts';
import { register as start } from './start.ts';
import { register as pause } from './pause.ts';
import { register as restart } from './restart.ts';
import { register as del } from './delete.ts';
import { register as provision } from './provision.ts';
import { register as validateCredentials } from './validate-credentials.ts';
import { register as schemaGet } from './schema/get.ts';
import { register as schemaPut } from './schema/put.ts';
import { register as schemaReset } from './schema/reset.ts';

/** Registers `provisio job` and its verbs on the root command. */
export function registerJob(program: Command, deps: Deps): void {
  const noun = program.command('job').description('Synchronization jobs');
  for (const verb of [create, list, show, start, pause, restart, del, provision, validateCredentials]) verb(noun, deps);
  const schema = noun.command('schema').description('Job schemas: export to and import from JSON files');
  for (const verb of [schemaGet, schemaPut, schemaReset]) verb(schema, deps);
}
