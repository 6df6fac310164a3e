/**
 * The `provisio` command. A first word naming a seed cmdlet
 * (`Start-MgApplicationSynchronizationJob`, …) runs that cmdlet with
 * PowerShell-style parameters; anything else is a noun-verb command parsed
 * by commander. Every failure ends here: one line on stderr and the exit
 * code of docs/cli.md.
 */
import { Command, CommanderError } from 'commander';
import type { Deps } from './context.ts';
import { processIo } from './io.ts';
import { ExitCode, exitCodeOf, formatError, oneLine } from './errors.ts';
import { registerCommands } from './commands/index.ts';
import { CMDLETS, findCmdlet } from './cmdlets/index.ts';
import { runCmdlet } from './cmdlets/cmdlet.ts';
import { VALUE_OPTIONS } from './powershell-params.ts';
import { findAppInstanceCmdlet, runAppInstanceCmdlet } from './commands/appinstance-cmdlets.ts';

const VERSION = '0.1.0';

/**
 * The index of the cmdlet name in argv, skipping provisio options written
 * before it (`provisio --json Start-Mg…`), or undefined.
 */
function cmdletIndex(argv: readonly string[]): number | undefined {
  for (let i = 0; i < argv.length; i++) {
    const t = argv[i]!;
    if (!t.startsWith('--')) return findCmdlet(t) ? i : undefined;
    if (VALUE_OPTIONS.has(t)) i++;
  }
  return undefined;
}

/** The first word that is not a provisio option: the noun of a noun-verb command. */
function firstWord(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const t = argv[i]!;
    if (!t.startsWith('-')) return t;
    if (VALUE_OPTIONS.has(t)) i++;
  }
  return undefined;
}

/** An identifier that begins with '-' reads as an option; say how to pass it. */
function dashHint(message: string): string {
  return /unknown option '-[^-][^']{15,}'/.test(message) ? " (an identifier that begins with '-' goes after '--')" : '';
}

async function buildProgram(deps: Deps, argv: readonly string[]): Promise<Command> {
  const program = new Command('provisio')
    .description('Identity provisioning service with the Microsoft Graph v1.0 synchronization API')
    .version(VERSION)
    .option('--server <url>', 'Provisio server (PROVISIO_URL; default http://127.0.0.1:8080)')
    .option('--client-id <id>', 'client id (PROVISIO_CLIENT_ID)')
    .option('--client-secret <secret>', 'client secret (PROVISIO_CLIENT_SECRET)')
    .option('--profile <file>', 'profile file (PROVISIO_PROFILE; default ~/.config/provisio/profile.json)')
    .option('--json', 'print the Graph JSON instead of tables')
    .option('--verbose', 'trace HTTP requests on stderr')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => deps.io.stdout(s),
      writeErr: (s) => deps.io.stderr(s),
      // Commander's own complaints ("error: unknown option …") become the one-line format.
      outputError: (s, write) => write(`provisio: UsageError: ${oneLine(s.replace(/^error:\s*/i, ''))}${dashHint(s)}\n`),
    })
    .showSuggestionAfterError(true)
    .addHelpText('after', [
      '',
      'Seed cmdlets (PowerShell-style parameters; add --help to one for its parameter sets):',
      ...CMDLETS.map((c) => `  ${c.signature.name}`),
      '',
      'Exit codes: 0 ok, 1 unexpected, 2 usage, 3 authentication/authorization, 4 not found,',
      '5 rejected (400/409/422…), 6 throttled, 7 server unreachable or 5xx. See docs/cli.md.',
    ].join('\n'));
  await registerCommands(program, deps, firstWord(argv));
  // Subcommands inherit the error handling and output routing.
  const apply = (cmd: Command) => {
    for (const sub of cmd.commands) {
      sub.exitOverride().configureOutput(program.configureOutput()).showSuggestionAfterError(true);
      apply(sub);
    }
  };
  apply(program);
  return program;
}

/**
 * Runs the command line and resolves with the process exit code. `deps`
 * replaces the process's streams or fetch (in-process tests).
 */
export async function main(argv: string[], deps: Partial<Deps> = {}): Promise<number> {
  const d: Deps = { io: deps.io ?? processIo(), ...(deps.fetch ? { fetch: deps.fetch } : {}) };
  // The application-instance cmdlets the seed-cmdlet registry does not define (docs/application-instances.md).
  if (findAppInstanceCmdlet(argv[0]) && !findCmdlet(argv[0]!)) {
    return runAppInstanceCmdlet(argv[0]!, argv.slice(1), {
      stdout: d.io.stdout, stderr: d.io.stderr, env: d.io.env, interactive: d.io.interactive, prompt: (q) => d.io.prompt(q),
      fetch: d.fetch ?? ((...a) => fetch(...a)),
    });
  }
  try {
    const at = cmdletIndex(argv);
    if (at !== undefined) {
      await runCmdlet(findCmdlet(argv[at]!)!, [...argv.slice(0, at), ...argv.slice(at + 1)], d);
      return ExitCode.Ok;
    }
    await (await buildProgram(d, argv)).parseAsync(argv, { from: 'user' });
    return ExitCode.Ok;
  } catch (e) {
    // Commander has already printed its message (help, version, usage errors).
    if (e instanceof CommanderError) return e.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
    d.io.stderr(formatError(e) + '\n');
    if (d.io.env.PROVISIO_DEBUG && e instanceof Error && e.stack) d.io.stderr(e.stack + '\n');
    return exitCodeOf(e);
  }
}
