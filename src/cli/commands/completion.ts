import { Command } from 'commander';
import type { Deps } from '../context.ts';
import { usageError } from '../errors.ts';
import { bashScript, fishScript, modelOf, zshScript } from '../completion.ts';

const SHELLS = { bash: bashScript, zsh: zshScript, fish: fishScript } as const;

/** `provisio completion bash|zsh|fish`: prints the shell's completion script. */
export function registerCompletion(program: Command, deps: Deps): void {
  program.command('completion')
    .description('Print a shell completion script: source <(provisio completion bash)')
    .argument('<shell>', 'bash, zsh or fish')
    .action(async (shell: string) => {
      const render = SHELLS[shell as keyof typeof SHELLS];
      if (!render) throw usageError(`Unknown shell '${shell}'; choose bash, zsh or fish.`);
      // Loaded here: every command's module, which only this command needs all of.
      const [{ registerCommands }, { CMDLETS }, { APPINSTANCE_CMDLETS }] = await Promise.all([
        import('./index.ts'), import('../cmdlets/index.ts'), import('./appinstance-cmdlets.ts'),
      ]);
      const tree = new Command('provisio');
      for (const o of program.options) tree.addOption(o);
      await registerCommands(tree, deps);
      // A seed cmdlet's definition wins over the application-instance list's (main() runs it that way too).
      const cmdlets = new Map<string, { name: string; parameters: string[] }>();
      for (const c of APPINSTANCE_CMDLETS) cmdlets.set(c.name.toLowerCase(), { name: c.name, parameters: c.params.map((p) => p.name) });
      for (const c of CMDLETS) cmdlets.set(c.signature.name.toLowerCase(), { name: c.signature.name, parameters: c.signature.parameters.map((p) => p.name) });
      deps.io.stdout(render(modelOf(tree, cmdlets.values())));
    });
}
