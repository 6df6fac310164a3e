import type { Command } from 'commander';
import type { Deps } from '../../context.ts';
import { action } from '../../context.ts';
import { renderFields } from '../../output.ts';
import type { Obj } from '../../views.ts';

/** Graph's longest mailNickname. */
const MAIL_NICKNAME_MAX = 64;

/**
 * The mailNickname a group gets when `--mail-nickname` is left out: the
 * name in ASCII letters, digits and `._-` (accents dropped, so `Équipe`
 * gives `Equipe`), at most 64 characters, as Graph allows any displayName
 * up to 256 characters but no longer or non-ASCII mailNickname.
 */
export function defaultMailNickname(name: string): string {
  const ascii = name.normalize('NFKD').replace(/[^A-Za-z0-9._-]/g, '');
  return ascii.slice(0, MAIL_NICKNAME_MAX) || 'group';
}

/** `provisio group create --name <displayName>`: POST /v1.0/groups (a security group). */
export function register(noun: Command, deps: Deps): void {
  noun.command('create')
    .description('Create a security group (POST /v1.0/groups)')
    .requiredOption('--name <displayName>', 'display name')
    .option('--mail-nickname <nick>', 'mailNickname (default: the name without spaces, accents or punctuation, at most 64 characters)')
    .option('--description <text>', 'description')
    .action(action<{ name: string; mailNickname?: string; description?: string }>(deps, async (ctx, o) => {
      const body: Obj = {
        displayName: o.name,
        mailEnabled: false,
        mailNickname: o.mailNickname ?? defaultMailNickname(o.name),
        securityEnabled: true,
        ...(o.description !== undefined ? { description: o.description } : {}),
      };
      const g = (await ctx.client().request<Obj>({ method: 'POST', path: '/v1.0/groups', body })).body ?? {};
      ctx.out.result(g, () => renderFields([['id', g.id], ['displayName', g.displayName], ['mailNickname', g.mailNickname]]));
    }));
}
