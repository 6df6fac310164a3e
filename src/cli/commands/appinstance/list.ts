import type { Command } from 'commander';
import type { Deps } from '../../context.ts';
import { action, positiveInt } from '../../context.ts';
import { appInstanceColumns } from '../../views.ts';
import type { Obj } from '../../views.ts';
import { callAppInstance } from './api.ts';

/** `provisio appinstance list` (Get-CsOnlineApplicationInstance). */
export function register(noun: Command, deps: Deps): void {
  noun.command('list')
    .description('List application instances (resource accounts)')
    .option('--top <n>', 'page size', positiveInt('--top'))
    .action(action<{ top?: number }>(deps, async (ctx, o) => {
      const doc = (await callAppInstance<{ value: Obj[] }>(ctx.client(), { op: 'list', top: o.top })).body ?? { value: [] };
      ctx.out.collection(doc, appInstanceColumns, 'application instances');
    }));
}
