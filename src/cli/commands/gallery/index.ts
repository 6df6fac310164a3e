/** `provisio gallery …`: the application-template gallery (Graph /v1.0/applicationTemplates). */
import type { Command } from 'commander';
import type { Deps } from '../../context.ts';
import { register as list } from './list.ts';
import { register as show } from './show.ts';
import { register as instantiate } from './instantiate.ts';

/** Registers `provisio gallery` and its verbs on the root command. */
export function registerGallery(program: Command, deps: Deps): void {
  const noun = program.command('gallery').description('Application templates (the gallery) and adding applications from them');
  for (const verb of [list, show, instantiate]) verb(noun, deps);
}
