import type { Command } from 'commander';
import type { CliContext, Deps, OwnerOptions } from '../../context.ts';
import { action, collect, ownerOptions, seg, syncBase } from '../../context.ts';
import { usageError } from '../../errors.ts';
import { onDemandDetails } from '../../views.ts';
import type { Obj } from '../../views.ts';

interface ProvisionOptions extends OwnerOptions {
  user?: string[];
  group?: string[];
  member?: string[];
  rule?: string;
  file?: string;
}

/**
 * The rule to provision with: the one given, else the job's only rule
 * (most outbound jobs have exactly one; Graph requires the id).
 */
async function ruleId(ctx: CliContext, jobPath: string, given: string | undefined): Promise<string> {
  if (given !== undefined) return given;
  const schema = await ctx.client().get<Obj>(`${jobPath}/schema`);
  const rules = (schema.synchronizationRules as { id?: string; name?: string }[] | undefined) ?? [];
  if (rules.length === 1 && rules[0]?.id) return rules[0].id;
  const list = rules.map((r) => `${r.id ?? '?'} (${r.name ?? ''})`).join(', ') || 'none';
  throw usageError(`The job has ${rules.length} synchronization rules; choose one with --rule: ${list}.`);
}

/** The provisionOnDemand body for the subjects named on the command line. */
export function provisionBody(rule: string, o: Pick<ProvisionOptions, 'user' | 'group' | 'member'>): Obj {
  const users = o.user ?? [];
  const groups = o.group ?? [];
  const members = o.member ?? [];
  if (!users.length && !groups.length) throw usageError('Name what to provision: --user <objectId> and/or --group <objectId> (or --file body.json).');
  if (members.length && groups.length !== 1) throw usageError('--member needs exactly one --group: the group whose members to provision.');
  const subjects: Obj[] = [
    ...users.map((id) => ({ objectId: id, objectTypeName: 'User' })),
    ...groups.map((id) => ({
      objectId: id,
      objectTypeName: 'Group',
      ...(members.length ? { links: { members: members.map((m) => ({ objectId: m, objectTypeName: 'User' })) } } : {}),
    })),
  ];
  return { parameters: [{ ruleId: rule, subjects }] };
}

/** `provisio job provision <jobId> --user <id>`: POST …/jobs/{id}/provisionOnDemand. */
export function register(noun: Command, deps: Deps): void {
  ownerOptions(noun.command('provision')
    .description('Provision users or a group now, through the whole pipeline (POST …/jobs/{id}/provisionOnDemand)')
    .argument('<jobId>', 'job id')
    .option('--user <objectId>', 'a user to provision (repeatable)', collect)
    .option('--group <objectId>', 'a group to provision (repeatable)', collect)
    .option('--member <objectId>', 'a member of the single --group to provision with it (repeatable)', collect)
    .option('--rule <ruleId>', "the synchronization rule (default: the job's only rule)")
    .option('--file <body.json>', "the whole request body ({\"parameters\":[…]}; '-' reads stdin)"))
    .action(action<ProvisionOptions>(deps, async (ctx, o, [id]) => {
      const jobPath = `${syncBase(o)}/jobs/${seg(id!)}`;
      let body: unknown;
      if (o.file !== undefined) {
        if (o.user || o.group || o.member || o.rule) throw usageError('Give either --file or --user/--group/--member/--rule, not both.');
        body = ctx.readJson(o.file, 'provisionOnDemand body');
      } else {
        provisionBody('-', o); // checks the subjects before any request is made
        body = provisionBody(await ruleId(ctx, jobPath, o.rule), o);
      }
      const res = await ctx.client().request<Obj>({ method: 'POST', path: `${jobPath}/provisionOnDemand`, body });
      const result = res.body ?? {};
      ctx.out.result(result, () => onDemandDetails(result));
    }));
}
