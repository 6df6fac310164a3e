/**
 * The process's streams, environment and terminal, behind one small
 * interface so that commands can be run in-process by tests (with a fake
 * terminal that answers prompts) exactly as they run from a shell.
 */
import { createInterface } from 'node:readline';
import { readFileSync } from 'node:fs';

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: NodeJS.ProcessEnv;
  /** True when stdin and stderr are a terminal, i.e. a person can answer a prompt. */
  interactive: boolean;
  /** Asks one question on the terminal and resolves with the answer line. */
  prompt(question: string): Promise<string>;
  /** All of stdin, for `--file -` and `@-`. */
  readStdin(): string;
  /** Calls `handler` on Ctrl-C until the returned function is called (for `--follow`). */
  onInterrupt(handler: () => void): () => void;
}

/** The real process. */
export function processIo(): CliIo {
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    env: process.env,
    interactive: Boolean(process.stdin.isTTY && process.stderr.isTTY),
    prompt: (question) =>
      new Promise((resolve) => {
        // The question goes to stderr so that stdout stays clean for --json.
        const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
        rl.question(question, (answer) => {
          rl.close();
          resolve(answer);
        });
      }),
    readStdin: () => readFileSync(0, 'utf8'),
    onInterrupt: (handler) => {
      process.on('SIGINT', handler);
      return () => void process.off('SIGINT', handler);
    },
  };
}
