/**
 * Every noun-verb command, in the order `provisio --help` lists them.
 * Each noun lives in commands/<noun>/, one file per verb.
 */
import type { Command } from 'commander';
import type { Deps } from '../context.ts';
import { registerServe } from './serve.ts';
import { registerLogin, registerLogout } from './login.ts';
import { registerApp } from './app/index.ts';
import { registerSp } from './sp/index.ts';
import { registerGallery } from './gallery/index.ts';
import { registerTemplate } from './template/index.ts';
import { registerJob } from './job/index.ts';
import { registerSecrets } from './secrets/index.ts';
import { registerSync } from './sync/index.ts';
import { registerLogs } from './logs/index.ts';
import { registerUser } from './user/index.ts';
import { registerGroup } from './group/index.ts';
import { registerAppInstance } from './appinstance/index.ts';

export function registerCommands(program: Command, deps: Deps): void {
  registerServe(program);
  // `provisio demo` registers here when the engine lands: a commands/demo.ts
  // that shares serve's serverOptions()/untilSignal() and starts the server
  // in-process (it needs no client connection).
  registerLogin(program, deps);
  registerLogout(program, deps);
  registerApp(program, deps);
  registerSp(program, deps);
  registerGallery(program, deps);
  registerTemplate(program, deps);
  registerJob(program, deps);
  registerSecrets(program, deps);
  registerSync(program, deps);
  registerLogs(program, deps);
  registerUser(program, deps);
  registerGroup(program, deps);
  registerAppInstance(program, deps);
}
