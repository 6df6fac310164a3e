/**
 * Running a seed cmdlet: bind its PowerShell-style parameters, turn them
 * into one HTTP request, then do what PowerShell's ShouldProcess would
 * (-WhatIf prints the request and sends nothing; -Confirm asks first) and
 * print the answer the way the cmdlet does (-PassThru → `True` for a 204).
 */
import { CliContext } from '../context.ts';
import type { Deps } from '../context.ts';
import { CliError, ExitCode, usageError } from '../errors.ts';
import type { GraphRequest } from '../http-client.ts';
import { GraphClient } from '../http-client.ts';
import { jsonText } from '../output.ts';
import type { BoundCmdlet, CmdletSignature, ParameterDef } from '../powershell-params.ts';
import { bindCmdlet, fileValueSource, member, syntaxHelp } from '../powershell-params.ts';

/** What a cmdlet invocation will do, before it is done. */
export interface CmdletPlan {
  /** The operation name ShouldProcess shows, e.g. `Start-MgApplicationSynchronizationJob_Start`. */
  operation: string;
  /** What it acts on, in words (`ApplicationId: …, SynchronizationJobId: …`). */
  target: string;
  request: GraphRequest;
}

export interface CmdletDefinition {
  signature: CmdletSignature;
  /** Builds the request from the bound parameters; throws usage errors for bad identities. */
  plan(bound: BoundCmdlet): CmdletPlan;
}

/** -WhatIf and -Confirm, as every seed cmdlet declares them (SupportsShouldProcess). */
export const SHOULD_PROCESS: readonly ParameterDef[] = [
  { name: 'WhatIf', kind: 'switch', typeName: 'SwitchParameter', aliases: ['wi'], description: 'Shows what would happen if the cmdlet runs. The cmdlet is not run.' },
  { name: 'Confirm', kind: 'switch', typeName: 'SwitchParameter', aliases: ['cf'], description: 'Prompts you for confirmation before running the cmdlet.' },
];

/** -Headers: extra request headers (IDictionary), in every Graph SDK cmdlet that lists it. */
export const HEADERS: ParameterDef = { name: 'Headers', kind: 'object', typeName: 'IDictionary', description: 'Optional headers that will be added to the request.' };

/** An identity member of -InputObject (IApplicationsIdentity), required by the ViaIdentity sets. */
export function identityMember(bound: BoundCmdlet, name: string): string {
  const input = bound.values.get('InputObject') as Record<string, unknown>;
  const v = member(input, name);
  if (typeof v !== 'string' || v === '') {
    throw new CliError(ExitCode.Usage, 'InvalidInputObject', `${bound.signature.name}: InputObject has null value for InputObject.${name}.`);
  }
  return v;
}

/** A string parameter known to be bound (mandatory in the resolved set). */
export function str(bound: BoundCmdlet, name: string): string {
  return bound.values.get(name) as string;
}

/** The -Headers dictionary as HTTP headers. */
export function headersOf(bound: BoundCmdlet): Record<string, string> | undefined {
  const h = bound.values.get('Headers') as Record<string, unknown> | undefined;
  if (!h) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') throw usageError(`${bound.signature.name}: header '${k}' must be a text value.`, 'InvalidHeaders');
    out[k] = String(v);
  }
  return out;
}

/** PowerShell's Format-List of an object: `Name : value`, names padded. */
export function formatList(o: Record<string, unknown>): string {
  const entries = Object.entries(o).filter(([k]) => !k.startsWith('@odata.'));
  const w = Math.max(0, ...entries.map(([k]) => k.length));
  const pascal = (k: string) => k.charAt(0).toUpperCase() + k.slice(1);
  return entries.map(([k, v]) => `${pascal(k).padEnd(w)} : ${typeof v === 'string' ? v : JSON.stringify(v)}`).join('\n') + '\n';
}

/** The -WhatIf report: the ShouldProcess line, then the HTTP request that would be sent. */
function whatIf(ctx: CliContext, bound: BoundCmdlet, plan: CmdletPlan): void {
  // Only the server is needed to show the URL: no token is requested, nothing is sent.
  const url = new GraphClient({ server: ctx.connection().server, clientId: undefined, clientSecret: undefined }).url(plan.request.path, plan.request.query);
  const body = plan.request.body;
  if (ctx.out.json) {
    ctx.io.stdout(jsonText({
      whatIf: true,
      cmdlet: bound.signature.name,
      parameterSet: bound.set,
      operation: plan.operation,
      target: plan.target,
      method: plan.request.method,
      url,
      ...(plan.request.headers ? { headers: plan.request.headers } : {}),
      ...(body !== undefined ? { body } : {}),
    }));
    return;
  }
  let text = `What if: Performing the operation "${plan.operation}" on target "${plan.target}".\n${plan.request.method} ${url}\n`;
  for (const [k, v] of Object.entries(plan.request.headers ?? {})) text += `${k}: ${v}\n`;
  if (body !== undefined) text += `Content-Type: application/json\n\n${jsonText(body)}`;
  ctx.io.stdout(text);
}

/**
 * -Confirm: asks on the terminal (default No). Without a terminal there is
 * nobody to ask, so the cmdlet refuses rather than guess.
 */
async function confirmed(ctx: CliContext, plan: CmdletPlan): Promise<boolean> {
  if (!ctx.io.interactive) {
    throw usageError("-Confirm asks on a terminal, and there is none. Run interactively, or pass '-Confirm:$false' (or leave -Confirm out) to proceed without asking.", 'ConfirmationRequired');
  }
  const answer = await ctx.io.prompt(
    `Confirm\nAre you sure you want to perform this action?\nPerforming the operation "${plan.operation}" on target "${plan.target}".\n[Y] Yes  [N] No  (default is "N"): `,
  );
  return /^\s*y(es)?\s*$/i.test(answer);
}

/** Runs a seed cmdlet with the words that followed its name on the command line. */
export async function runCmdlet(def: CmdletDefinition, argv: readonly string[], deps: Deps): Promise<void> {
  const bound = bindCmdlet(def.signature, argv, fileValueSource(deps.io.readStdin));
  if (bound.help) {
    deps.io.stdout(`${def.signature.name}\n\nSYNTAX\n${syntaxHelp(def.signature)}`);
    return;
  }
  const verbose = bound.values.get('Verbose') === true || bound.values.get('Debug') === true;
  const ctx = new CliContext(deps, { ...bound.globals, verbose: bound.globals.verbose || verbose });
  const plan = def.plan(bound);
  const headers = headersOf(bound);
  if (headers) plan.request = { ...plan.request, headers: { ...plan.request.headers, ...headers } };

  if (bound.values.get('WhatIf') === true) {
    whatIf(ctx, bound, plan);
    return;
  }
  // -Force "suppresses confirmation messages" (Sync-CsOnlineApplicationInstance).
  if (bound.values.get('Confirm') === true && bound.values.get('Force') !== true && !(await confirmed(ctx, plan))) {
    ctx.io.stderr('provisio: not confirmed; nothing was done.\n');
    return;
  }
  const res = await ctx.client().request<Record<string, unknown>>(plan.request);
  if (res.body !== undefined && res.body !== null && typeof res.body === 'object') {
    const body = res.body;
    ctx.out.result(body, () => formatList(body));
  } else if (bound.values.get('PassThru') === true) {
    // The Graph cmdlets' -PassThru: `True` when the call answered 204 No Content.
    ctx.out.result({ value: true }, () => 'True\n');
  }
}
