/**
 * The `provisio` command. Each command lives in its own module; this file
 * only assembles them and maps failures to exit codes.
 */
import { Command, CommanderError } from 'commander';
import { registerServe } from './commands/serve.ts';
import { registerDemo } from './commands/demo.ts';
import { registerDirectory } from './commands/directory-seed.ts';

export async function main(argv: string[]): Promise<number> {
  const program = new Command('provisio')
    .description('Identity provisioning service with the Microsoft Graph v1.0 synchronization API')
    .version('0.1.0')
    .exitOverride()
    .showHelpAfterError();
  registerServe(program);
  registerDemo(program);
  registerDirectory(program);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    console.error(`provisio: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}
