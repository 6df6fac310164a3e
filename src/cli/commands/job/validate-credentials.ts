import type { Command } from 'commander';
import type { Deps, OwnerOptions } from '../../context.ts';
import { action, collect, ownerOptions, pairsFromJson, parsePairs, seg, syncBase } from '../../context.ts';
import { usageError } from '../../errors.ts';
import type { Obj } from '../../views.ts';

interface ValidateOptions extends OwnerOptions {
  template?: string;
  useSaved?: boolean;
  credential?: string[];
  file?: string;
  applicationIdentifier?: string;
}

/**
 * `provisio job validate-credentials [jobId]`: POST …/jobs/{id}/validateCredentials,
 * or, without a job id, the collection-bound …/jobs/validateCredentials that
 * tests a connection before a job exists (it needs --template).
 */
export function register(noun: Command, deps: Deps): void {
  ownerOptions(noun.command('validate-credentials')
    .description('Check that credentials reach the target application (POST …/jobs[/{id}]/validateCredentials)')
    .argument('[jobId]', 'job id; leave out to validate for a template before creating a job')
    .option('--template <templateId>', 'template id (required without a job id)')
    .option('--use-saved', 'validate the secrets already saved instead of --credential/--file')
    .option('--credential <KEY=VALUE>', 'a credential, e.g. BaseAddress=https://… (repeatable)', collect)
    .option('--file <creds.json>', "credentials as {\"Key\":\"value\"} or [{key,value}] ('-' reads stdin)")
    .option('--application-identifier <id>', 'applicationIdentifier to send'))
    .action(action<ValidateOptions>(deps, async (ctx, o, [jobId]) => {
      if (jobId === undefined && o.template === undefined) throw usageError('Without a job id, name the template to validate for with --template.');
      if (o.useSaved && (o.credential || o.file)) throw usageError('--use-saved validates the saved secrets; leave out --credential and --file.');
      const credentials = [
        ...(o.file !== undefined ? pairsFromJson(ctx.readJson(o.file, 'credentials'), o.file) : []),
        ...parsePairs(o.credential ?? [], '--credential'),
      ];
      const body: Obj = {
        ...(o.applicationIdentifier !== undefined ? { applicationIdentifier: o.applicationIdentifier } : {}),
        ...(o.template !== undefined ? { templateId: o.template } : {}),
        useSavedCredentials: Boolean(o.useSaved),
        ...(credentials.length ? { credentials } : {}),
      };
      const path = jobId === undefined ? `${syncBase(o)}/jobs/validateCredentials` : `${syncBase(o)}/jobs/${seg(jobId)}/validateCredentials`;
      await ctx.client().request({ method: 'POST', path, body });
      ctx.out.done('The credentials are valid.');
    }));
}
