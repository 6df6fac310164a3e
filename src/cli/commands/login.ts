import type { Command } from 'commander';
import type { Deps } from '../context.ts';
import { action } from '../context.ts';
import { DEFAULT_SERVER, defaultProfilePath, normalizeServer, removeProfile, writeProfile } from '../credentials.ts';
import { usageError } from '../errors.ts';
import { GraphClient } from '../http-client.ts';

/**
 * `provisio login --server … --client-id … --client-secret …`: checks the
 * credentials by getting a token, then writes the profile file (mode 0600).
 * Values not given as flags come from PROVISIO_URL / PROVISIO_CLIENT_ID /
 * PROVISIO_CLIENT_SECRET; nothing is written when the check fails.
 */
export function registerLogin(program: Command, deps: Deps): void {
  program.command('login')
    .description('Save server and client credentials to the profile file (~/.config/provisio/profile.json, mode 0600)')
    .option('--no-verify', 'save without checking the credentials against the server')
    .action(action<{ verify: boolean }>(deps, async (ctx, o) => {
      const env = ctx.io.env;
      const server = normalizeServer(ctx.flags.server ?? (env.PROVISIO_URL || DEFAULT_SERVER));
      const clientId = ctx.flags.clientId ?? (env.PROVISIO_CLIENT_ID || undefined);
      const clientSecret = ctx.flags.clientSecret ?? (env.PROVISIO_CLIENT_SECRET || undefined);
      if (!clientId || !clientSecret) throw usageError('login needs --client-id and --client-secret (or PROVISIO_CLIENT_ID and PROVISIO_CLIENT_SECRET).');
      if (o.verify) await new GraphClient({ server, clientId, clientSecret, fetch: deps.fetch }).token();
      const path = ctx.flags.profile ?? defaultProfilePath(env);
      writeProfile(path, { server, clientId, clientSecret });
      ctx.out.result({ profile: path, server, clientId }, () => `Saved the profile for ${clientId} at ${server} to ${path} (readable by you only).\n`);
    }));
}

/** `provisio logout`: removes the profile file. */
export function registerLogout(program: Command, deps: Deps): void {
  program.command('logout')
    .description('Delete the profile file')
    .action(action(deps, async (ctx) => {
      const path = ctx.flags.profile ?? defaultProfilePath(ctx.io.env);
      const removed = removeProfile(path);
      ctx.out.result({ profile: path, removed }, () => (removed ? `Removed ${path}.\n` : `No profile at ${path}.\n`));
    }));
}
