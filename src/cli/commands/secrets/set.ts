import type { Command } from 'commander';
import type { Deps, OwnerOptions } from '../../context.ts';
import { action, ownerOptions, pairsFromJson, parsePairs, syncBase } from '../../context.ts';
import { usageError } from '../../errors.ts';

/**
 * `provisio secrets set KEY=VALUE … | --file f.json`: PUT …/synchronization/secrets.
 * Graph merges by key; an empty value removes a plain secret.
 */
export function register(noun: Command, deps: Deps): void {
  ownerOptions(noun.command('set')
    .description('Add or change synchronization secrets, merged by key (PUT …/synchronization/secrets)')
    .argument('[pairs...]', 'KEY=VALUE, e.g. BaseAddress=https://scim.example.com/scim SecretToken=…')
    .option('--file <secrets.json>', "secrets as {\"Key\":\"value\"}, [{key,value}] or {\"value\":[…]} ('-' reads stdin)"))
    .action(action<OwnerOptions & { file?: string }>(deps, async (ctx, o, [pairsArg]) => {
      const given = pairsArg as unknown as string[] | undefined;
      const value = [
        ...(o.file !== undefined ? pairsFromJson(ctx.readJson(o.file, 'secrets'), o.file) : []),
        ...parsePairs(given ?? [], 'a secret'),
      ];
      if (!value.length) throw usageError('Give secrets as KEY=VALUE arguments or with --file.');
      await ctx.client().request({ method: 'PUT', path: `${syncBase(o)}/secrets`, body: { value } });
      ctx.out.done(`Saved ${value.length} secret${value.length === 1 ? '' : 's'}: ${value.map((p) => p.key).join(', ')}.`);
    }));
}
