/** `provisio inbound …`: API-driven inbound provisioning (HR files → bulkUpload). */
import type { Command } from 'commander';
import type { Deps } from '../../context.ts';
import { register as upload } from './upload.ts';

/** Registers `provisio inbound` and its verbs on the root command. */
export function registerInbound(program: Command, deps: Deps): void {
  const noun = program.command('inbound').description('Inbound provisioning: HR exports into the directory through bulkUpload');
  upload(noun, deps);
}
