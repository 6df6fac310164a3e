/**
 * `provisio completion bash|zsh|fish`: the bash script is loaded into a real
 * bash and asked for completions the way readline asks (COMP_WORDS,
 * COMP_CWORD); zsh and fish are not on this machine, so their scripts are
 * checked for what they must contain.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expectCode, expectError, runCli, runInProcess, scratch } from './run-cli.ts';

describe('shell completion', () => {
  let files: ReturnType<typeof scratch>;
  let script: string;
  before(async () => {
    files = scratch();
    const r = expectCode(await runCli(['completion', 'bash']), 0);
    script = join(files.dir, 'provisio.bash');
    writeFileSync(script, r.stdout);
  });
  after(() => files.dispose());

  /** What bash offers for the command line `words`, the last being the word under the cursor. */
  const complete = (...words: string[]): string[] => {
    const out = execFileSync('bash', ['-c', 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); _provisio; printf "%s\\n" "${COMPREPLY[@]}"', '_', script, 'provisio', ...words], { encoding: 'utf8' });
    return out.split('\n').filter(Boolean).sort();
  };

  test('bash: nouns and cmdlets first, then verbs, options and sub-verbs', () => {
    assert.deepEqual(complete('jo'), ['job']);
    assert.deepEqual(complete('Start-Mg'), ['Start-MgApplicationSynchronizationJob']);
    assert.ok(complete('').includes('Sync-CsOnlineApplicationInstance'));
    assert.deepEqual(complete('job', 're'), ['restart']);
    assert.deepEqual(complete('job', 'restart', '--sc'), ['--scope']);
    assert.deepEqual(complete('--server', 'http://x', '--json', 'job', 'pro'), ['provision'], 'global options and their values are skipped');
    assert.deepEqual(complete('job', 'schema', ''), ['get', 'put', 'reset']);
    assert.deepEqual(complete('job', 'restart', 'some-job', ''), [], 'positionals fall back to the shell default');
    assert.deepEqual(complete('serve', '--ro'), ['--role']);
    assert.deepEqual(complete('logs', 'list', '--js'), ['--json'], 'global options complete on every command');
  });

  test('bash: cmdlet parameters, matching the cmdlet name in any case as PowerShell does', () => {
    assert.deepEqual(complete('start-mgapplicationsynchronizationjob', '-Sync'), ['-SynchronizationJobId']);
    assert.deepEqual(complete('Get-MgApplicationSynchronizationAccessToken', '-Cred'), ['-Credentials']);
    assert.deepEqual(complete('Sync-CsOnlineApplicationInstance', '-F'), ['-Force']);
  });

  test('zsh loads the bash function through bashcompinit; fish has a line per noun, verb and option', async () => {
    const zsh = expectCode(await runInProcess(['completion', 'zsh']), 0).stdout;
    assert.match(zsh, /bashcompinit/);
    assert.match(zsh, /^complete -o default -F _provisio provisio$/m);
    const fish = expectCode(await runInProcess(['completion', 'fish']), 0).stdout;
    assert.match(fish, /^complete -c provisio -n "__fish_seen_subcommand_from job; and not __fish_seen_subcommand_from [^"]*\brestart\b[^"]*" -a "[^"]*\bprovision\b/m);
    assert.match(fish, /^complete -c provisio -n "__fish_seen_subcommand_from job; and __fish_seen_subcommand_from restart" -l scope$/m);
    assert.match(fish, /^complete -c provisio -n "__fish_seen_subcommand_from New-MgApplicationSynchronizationJobOnDemand" -a "[^"]*-Parameters/m);
  });

  test('an unknown shell is a usage error', async () => {
    expectError(await runInProcess(['completion', 'tcsh']), 2, 'UsageError');
    expectError(await runInProcess(['completion']), 2, 'UsageError');
  });
});
