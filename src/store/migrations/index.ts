/**
 * The numbered migrations, in order. A static list (not a folder scan) so
 * that the set is checked by the type checker and works the same from
 * sources and from a bundle.
 */
import type { Migration, MigrationProvider } from 'kysely';
import * as m0001 from './0001_core.ts';
import * as m0002 from './0002_directory.ts';
import * as m0003 from './0003_provisioning_logs.ts';
import * as m0004 from './0004_engine.ts';
import * as m0005 from './0005_directory_storage.ts';
import * as m0006 from './0006_app_instances.ts';
import * as m0007 from './0007_scheduler.ts';
import * as m0008 from './0008_inbound.ts';
import * as m0009 from './0009_inbound_state.ts';

export const migrations: Record<string, Migration> = {
  '0001_core': m0001,
  '0002_directory': m0002,
  '0003_provisioning_logs': m0003,
  '0004_engine': m0004,
  '0005_directory_storage': m0005,
  '0006_app_instances': m0006,
  '0007_scheduler': m0007,
  '0008_inbound': m0008,
  '0009_inbound_state': m0009,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve(migrations),
};
