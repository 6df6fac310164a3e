import type { Command } from 'commander';
import type { CliContext, Deps } from '../../context.ts';
import { action, positiveInt } from '../../context.ts';
import { renderTable } from '../../output.ts';
import { CliError } from '../../errors.ts';
import { logColumns } from '../../views.ts';
import type { Obj } from '../../views.ts';
import type { LogFilterOptions } from './filter.ts';
import { logFilter } from './filter.ts';

const PATH = '/v1.0/auditLogs/provisioning';

interface LogsListOptions extends LogFilterOptions {
  top?: number;
  all?: boolean;
  follow?: boolean;
  interval?: number;
}

/**
 * Prints new provisioning events as they arrive, oldest first, until
 * Ctrl-C. Polls every `interval` seconds (Graph allows this API 5 requests
 * per 10 s, so the default 5 s leaves room for other calls), asks for
 * events from a second before the newest seen and drops ids already
 * printed, so events sharing a timestamp are neither lost nor repeated.
 */
async function follow(ctx: CliContext, base: string | undefined, o: LogsListOptions): Promise<void> {
  const client = ctx.client();
  const printed = new Map<string, number>();
  let newest = 0;
  let headerShown = false;
  const show = (events: Obj[]) => {
    const fresh = events.filter((e) => typeof e.id === 'string' && !printed.has(e.id));
    for (const e of fresh) {
      const t = Date.parse(String(e.activityDateTime ?? '')) || 0;
      printed.set(e.id as string, t);
      newest = Math.max(newest, t);
    }
    if (!fresh.length) return;
    if (ctx.out.json) {
      for (const e of fresh) ctx.out.jsonLine(e);
      return;
    }
    const table = renderTable(fresh, logColumns).split('\n');
    ctx.out.text((headerShown ? table.slice(1) : table).join('\n'));
    headerShown = true;
  };

  // Ctrl-C is taken from the start: pressed during the first request or a
  // poll, it ends the command once that request is answered, never a whole
  // interval later.
  let stopped = false;
  let wake: (() => void) | undefined;
  const off = ctx.io.onInterrupt(() => {
    stopped = true;
    wake?.();
  });
  try {
    const first = await client.get<{ value: Obj[] }>(PATH, { $filter: base, $orderby: 'activityDateTime desc', $top: o.top ?? 20 });
    show([...first.value].reverse());
    while (!stopped) {
      let waitMs = (o.interval ?? 5) * 1000;
      const since = newest ? new Date(newest - 1000).toISOString() : undefined;
      const filter = [base, since && `activityDateTime gt ${since}`].filter(Boolean).join(' and ') || undefined;
      try {
        const page = await client.list<Obj>(PATH, { $filter: filter, $orderby: 'activityDateTime asc', $top: 100 }, true);
        show(page.value);
      } catch (e) {
        // Throttling is expected now and then while following: wait as told and go on.
        if (!(e instanceof CliError && e.status === 429)) throw e;
        waitMs = Math.max(waitMs, 10_000);
      }
      // Forget ids too old to come back in the next window.
      for (const [id, t] of printed) if (t < newest - 5000) printed.delete(id);
      if (stopped) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, waitMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  } finally {
    off();
  }
}

/** `provisio logs list [filters] [--follow]`: GET /v1.0/auditLogs/provisioning. */
export function register(noun: Command, deps: Deps): void {
  noun.command('list')
    .description('List provisioning events, newest first (GET /v1.0/auditLogs/provisioning)')
    .option('--job <jobId>', 'events of this job')
    .option('--sp <servicePrincipalId>', 'events of this service principal')
    .option('--status <status>', 'success, warning, failure or skipped')
    .option('--action <action>', 'create, update, delete, disable, stagedDelete or other')
    .option('--identity <id>', 'events whose source or target identity has this id')
    .option('--since <when>', 'only events after this instant or age (2024-05-01T12:00:00Z, 30m, 2h, 7d)')
    .option('--until <when>', 'only events before this instant or age')
    .option('--filter <odata>', 'an extra raw $filter, and-ed with the others')
    .option('--top <n>', 'page size ($top; default 50, or the 20 latest with --follow)', positiveInt('--top'))
    .option('--all', 'follow @odata.nextLink and return every page')
    .option('-f, --follow', 'keep printing new events until Ctrl-C (with --json: one event per line)')
    .option('--interval <seconds>', 'polling interval for --follow (default 5)', positiveInt('--interval'))
    .action(action<LogsListOptions>(deps, async (ctx, o) => {
      const base = logFilter(o, new Date());
      if (o.follow) return follow(ctx, base, o);
      const doc = await ctx.client().list<Obj>(PATH, { $filter: base, $orderby: 'activityDateTime desc', $top: o.top ?? 50 }, o.all);
      ctx.out.collection(doc, logColumns, 'provisioning events');
      if (!ctx.out.json && doc['@odata.nextLink']) ctx.io.stderr('provisio: more events are available; use --all, --top or narrower filters\n');
    }));
}
