import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import type { Deps } from '../../context.ts';
import { action, collect, parseAssignments } from '../../context.ts';
import { usageError } from '../../errors.ts';
import { renderFields } from '../../output.ts';
import type { Obj } from '../../views.ts';

interface UserCreateOptions {
  upn?: string;
  name?: string;
  mailNickname?: string;
  password?: string;
  disabled?: boolean;
  set?: string[];
  file?: string;
}

/**
 * `provisio user create --upn … --name …`: POST /v1.0/users. Graph requires
 * a passwordProfile; Provisio signs nobody in, so without --password a
 * random one is sent and never shown.
 */
export function register(noun: Command, deps: Deps): void {
  noun.command('create')
    .description('Create a directory user (POST /v1.0/users)')
    .option('--upn <userPrincipalName>', 'userPrincipalName, e.g. adele@contoso.com')
    .option('--name <displayName>', 'display name')
    .option('--mail-nickname <nick>', 'mailNickname (default: the part of the UPN before @)')
    .option('--password <password>', 'initial password (default: random)')
    .option('--disabled', 'create the account disabled (accountEnabled false)')
    .option('--set <property=value>', 'any other property, e.g. department=Sales (repeatable)', collect)
    .option('--file <user.json>', "the whole user object ('-' reads stdin)")
    .action(action<UserCreateOptions>(deps, async (ctx, o) => {
      let body: Obj;
      if (o.file !== undefined) {
        body = ctx.readJson(o.file, 'user') as Obj;
      } else {
        if (!o.upn || !o.name) throw usageError('Give --upn and --name (or the whole object with --file).');
        body = {
          accountEnabled: !o.disabled,
          displayName: o.name,
          mailNickname: o.mailNickname ?? o.upn.split('@')[0],
          userPrincipalName: o.upn,
          passwordProfile: { forceChangePasswordNextSignIn: o.password === undefined, password: o.password ?? randomBytes(18).toString('base64url') + 'aA1!' },
          ...parseAssignments(o.set ?? []),
        };
      }
      const u = (await ctx.client().request<Obj>({ method: 'POST', path: '/v1.0/users', body })).body ?? {};
      ctx.out.result(u, () => renderFields([['id', u.id], ['userPrincipalName', u.userPrincipalName], ['displayName', u.displayName]]));
    }));
}
