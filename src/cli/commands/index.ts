/**
 * Every noun-verb command, in the order `provisio --help` lists them.
 * Each noun lives in commands/<noun>/, one file per verb, and is loaded
 * only when the command line names it: a command pays at start-up for its
 * own modules, not for all seventy.
 */
import type { Command } from 'commander';
import type { Deps } from '../context.ts';

type Registrar = (program: Command, deps: Deps) => void;

/** First word → the module that registers it. */
export const NOUNS: Record<string, () => Promise<Registrar>> = {
  serve: async () => (await import('./serve.ts')).registerServe,
  demo: async () => (await import('./demo.ts')).registerDemo,
  directory: async () => (await import('./directory-seed.ts')).registerDirectory,
  login: async () => (await import('./login.ts')).registerLogin,
  logout: async () => (await import('./login.ts')).registerLogout,
  app: async () => (await import('./app/index.ts')).registerApp,
  sp: async () => (await import('./sp/index.ts')).registerSp,
  gallery: async () => (await import('./gallery/index.ts')).registerGallery,
  template: async () => (await import('./template/index.ts')).registerTemplate,
  job: async () => (await import('./job/index.ts')).registerJob,
  secrets: async () => (await import('./secrets/index.ts')).registerSecrets,
  sync: async () => (await import('./sync/index.ts')).registerSync,
  logs: async () => (await import('./logs/index.ts')).registerLogs,
  inbound: async () => (await import('./inbound/index.ts')).registerInbound,
  user: async () => (await import('./user/index.ts')).registerUser,
  group: async () => (await import('./group/index.ts')).registerGroup,
  appinstance: async () => (await import('./appinstance/index.ts')).registerAppInstance,
  completion: async () => (await import('./completion.ts')).registerCompletion,
};

/**
 * Registers the command `noun` names, or every command when it names none
 * of them (help, a typo that deserves a suggestion).
 */
export async function registerCommands(program: Command, deps: Deps, noun?: string): Promise<void> {
  const only = noun !== undefined ? NOUNS[noun] : undefined;
  const registrars = await Promise.all(only ? [only()] : Object.values(NOUNS).map((load) => load()));
  for (const register of registrars) register(program, deps);
}
