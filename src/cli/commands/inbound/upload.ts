/**
 * `provisio inbound upload --job <jobId> --file people.csv|json [--map mapping.json]`:
 * turns an HR export into SCIM bulk requests of 50 users and posts them to
 * the job's bulkUpload, within the rate limit, with a progress bar on
 * stderr and a report of every rejected row (rows the file cannot make a
 * user of, batches the server refused, and with --wait the records the job
 * failed to provision). docs/inbound.md, docs/cli.md.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import type { Command } from 'commander';
import type { CliContext, Deps, OwnerOptions } from '../../context.ts';
import { action, ownerOptions, seg, syncBase } from '../../context.ts';
import { CliError, ExitCode } from '../../errors.ts';
import { usageError } from '../../errors.ts';
import { renderFields, renderTable } from '../../output.ts';
import {
  MappingError, bulkRequests, checkMapping, defaultMapping, mappedColumns, readHrFile, rowToScimUser,
} from '../../../inbound/hr/hr-records.ts';
import type { HrMapping, Rejected } from '../../../inbound/hr/hr-records.ts';

interface UploadOptions extends OwnerOptions {
  job: string;
  file: string;
  map?: string;
  format?: string;
  batchSize: string;
  rate: string;
  wait?: boolean;
  timeout: string;
}

export interface RejectedRow extends Rejected {
  /** Where it was rejected: reading the file, by the bulkUpload API, or by the job's cycle. */
  stage: 'file' | 'request' | 'provisioning';
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `N/S`: N requests per S seconds. */
function parseRate(text: string): { requests: number; windowMs: number } {
  const m = /^(\d+)\s*\/\s*(\d+)\s*s?$/.exec(text.trim());
  if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) throw usageError(`--rate '${text}': expected N/S, N requests per S seconds (Entra's limit is 40/5).`);
  return { requests: Number(m[1]), windowMs: Number(m[2]) * 1000 };
}

/** `[#####-----] 150/400 records (3/8 requests)`. */
function bar(done: number, total: number, requests: number, allRequests: number): string {
  const width = 24;
  const filled = total ? Math.round((done / total) * width) : width;
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} records (${requests}/${allRequests} requests)`;
}

/** Finds which service principal owns a job when neither --sp nor --app is given. */
async function ownerOfJob(ctx: CliContext, jobId: string): Promise<string> {
  const sps = await ctx.client().list<{ id: string }>('/v1.0/servicePrincipals', { $top: 999, $select: 'id' }, true);
  for (const sp of sps.value) {
    const jobs = await ctx.client().list<{ id: string }>(`/v1.0/servicePrincipals/${seg(sp.id)}/synchronization/jobs`);
    if (jobs.value.some((j) => j.id.toLowerCase() === jobId.toLowerCase())) return `/v1.0/servicePrincipals/${seg(sp.id)}/synchronization`;
  }
  throw new CliError(ExitCode.NotFound, 'JobNotFound', `No service principal has a synchronization job '${jobId}'.`);
}

function readInput(ctx: CliContext, o: UploadOptions): { columns: string[]; rows: ReturnType<typeof readHrFile>['rows'] } {
  const format = (o.format ?? (['.json', '.jsonl', '.ndjson'].includes(extname(o.file).toLowerCase()) ? 'json' : 'csv')).toLowerCase();
  if (format !== 'csv' && format !== 'json') throw usageError(`--format '${o.format}': expected csv or json.`);
  let text: string;
  try {
    text = o.file === '-' ? ctx.io.readStdin() : readFileSync(o.file, 'utf8');
  } catch (e) {
    throw usageError(`Cannot read the HR file '${o.file}': ${(e as Error).message}`, 'InvalidInputFile');
  }
  try {
    return readHrFile(text, format);
  } catch (e) {
    throw usageError(`The HR file '${o.file}' cannot be read as ${format.toUpperCase()}: ${(e as Error).message}`, 'InvalidInputFile');
  }
}

function loadMapping(ctx: CliContext, o: UploadOptions, columns: string[]): HrMapping {
  let mapping: HrMapping;
  try {
    mapping = o.map ? checkMapping(ctx.readJson(o.map, 'mapping')) : defaultMapping(columns);
  } catch (e) {
    if (e instanceof MappingError) throw usageError(`The mapping ${o.map ? `file '${o.map}'` : ''} is not valid: ${e.message}`, 'InvalidInputFile');
    throw e;
  }
  if (!mapping.externalId) {
    throw usageError(`No column of '${o.file}' gives the externalId (looked for externalId, employeeId, workerId, personId, employeeNumber): pass --map mapping.json.`);
  }
  if (columns.length) {
    const known = new Set(columns);
    const missing = mappedColumns(mapping).filter((c) => !known.has(c));
    if (missing.length) throw usageError(`The mapping reads column(s) the file does not have: ${missing.join(', ')} (the file has: ${columns.join(', ')}).`, 'InvalidInputFile');
  }
  return mapping;
}

export function register(noun: Command, deps: Deps): void {
  ownerOptions(noun.command('upload')
    .description('Upload an HR export (CSV or JSON) to an API-driven job as SCIM bulk requests (POST …/jobs/{id}/bulkUpload)')
    .requiredOption('--job <jobId>', 'the API2AAD job')
    .requiredOption('--file <path>', 'the export: .csv (header line; , ; or tab), .json (an array of objects) or .jsonl; - reads stdin')
    .option('--map <mapping.json>', 'SCIM attribute → column (or "{Col} {Col}" template, {"column","equals"}, {"value"}); default: by column name')
    .option('--format <csv|json>', 'the file format when its extension does not say')
    .option('--batch-size <n>', 'users per request (at most 50)', '50')
    .option('--rate <N/S>', 'at most N requests per S seconds (Entra: 40/5)', '40/5')
    .option('--wait', 'wait until the job has processed the records and report the ones it failed')
    .option('--timeout <seconds>', 'how long --wait waits', '120'))
    .action(action<UploadOptions>(deps, async (ctx, o) => {
      const size = Number(o.batchSize);
      if (!Number.isInteger(size) || size < 1 || size > 50) throw usageError(`--batch-size '${o.batchSize}': expected 1 to 50.`);
      const rate = parseRate(o.rate);
      const timeoutMs = Number(o.timeout) * 1000;
      if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw usageError(`--timeout '${o.timeout}': expected seconds.`);
      const { columns, rows } = readInput(ctx, o);
      const mapping = loadMapping(ctx, o, columns);

      const rejected: RejectedRow[] = [];
      const users: { user: Record<string, unknown>; externalId: string; row: number }[] = [];
      for (const row of rows) {
        const r = rowToScimUser(row, mapping);
        if ('reason' in r) rejected.push({ ...r, stage: 'file' });
        else users.push({ ...r, row: row.row });
      }
      const base = o.sp !== undefined || o.app !== undefined ? syncBase(o) : await ownerOfJob(ctx, o.job);
      const path = `${base}/jobs/${seg(o.job)}/bulkUpload`;
      const requests = bulkRequests(users, size);
      const startedAt = new Date(Math.floor(Date.now() / 1000) * 1000);
      const progress = (done: number, sent: number) => {
        const line = bar(done, users.length, sent, requests.length);
        ctx.io.stderr(ctx.io.interactive ? `\r${line}` : `${line}\n`);
      };
      const sentAt: number[] = [];
      const uploads: { uploadId: string | null; operations: number }[] = [];
      let uploaded = 0;
      for (const [i, body] of requests.entries()) {
        const batch = users.slice(i * size, (i + 1) * size);
        for (let attempt = 0; ; attempt++) {
          // Client-side pacing: never more than the rate allows in any window.
          const now = Date.now();
          while (sentAt.length && sentAt[0]! <= now - rate.windowMs) sentAt.shift();
          if (sentAt.length >= rate.requests) await sleep(sentAt[0]! + rate.windowMs - now);
          sentAt.push(Date.now());
          try {
            const res = await ctx.client().request({ method: 'POST', path, body, headers: { 'content-type': 'application/scim+json' } });
            uploads.push({ uploadId: res.headers.get('provisio-upload-id'), operations: batch.length });
            uploaded += batch.length;
            break;
          } catch (e) {
            if (e instanceof CliError && e.status === 429 && attempt < 5) {
              const retry = Number(/Retry-After: (\d+)/.exec(e.message)?.[1] ?? '5');
              ctx.warn(`throttled; retrying in ${retry} s`);
              await sleep(retry * 1000);
              continue;
            }
            if (e instanceof CliError && e.exitCode === ExitCode.Rejected) {
              for (const u of batch) rejected.push({ row: u.row, externalId: u.externalId, reason: `the request was refused: ${e.message}`, stage: 'request' });
              break;
            }
            throw e;
          }
        }
        progress(uploaded, i + 1);
      }
      if (ctx.io.interactive && requests.length) ctx.io.stderr('\n');

      let processed: number | undefined;
      if (o.wait && uploaded > 0) {
        const accepted = users.filter((u) => !rejected.some((r) => r.stage === 'request' && r.row === u.row));
        const outcome = await waitForProcessing(ctx, o.job, accepted, startedAt, timeoutMs);
        processed = outcome.seen;
        rejected.push(...outcome.failed);
      }
      rejected.sort((a, b) => a.row - b.row);
      const doc = {
        jobId: o.job, file: o.file, rows: rows.length, uploaded, requests: uploads.length, uploads,
        ...(processed !== undefined ? { processed } : {}),
        rejected,
      };
      ctx.out.result(doc, () => {
        const summary = renderFields([
          ['Job', o.job], ['File', o.file], ['Rows', rows.length], ['Uploaded', `${uploaded} records in ${uploads.length} requests`],
          ['Processed', processed], ['Rejected', rejected.length],
        ]);
        return rejected.length
          ? `${summary}\n${renderTable(rejected, [
            { header: 'row', get: (r) => r.row }, { header: 'externalId', get: (r) => r.externalId ?? '' },
            { header: 'stage', get: (r) => r.stage }, { header: 'reason', get: (r) => r.reason },
          ])}`
          : summary;
      });
      if (rejected.length) {
        throw new CliError(ExitCode.Rejected, 'RowsRejected', `${rejected.length} of ${rows.length} rows were rejected; the report above lists each with its reason.`);
      }
    }));
}

interface LogEntry {
  sourceIdentity: { id: string };
  provisioningStatusInfo: { status: string; errorInformation: { errorCode?: string; reason?: string } | null };
  activityDateTime: string;
}

/**
 * Polls the job's provisioning logs until every uploaded externalId has an
 * entry (or the timeout passes) and returns the rows whose last entry failed.
 */
async function waitForProcessing(ctx: CliContext, jobId: string, users: { externalId: string; row: number }[], since: Date, timeoutMs: number): Promise<{ seen: number; failed: RejectedRow[] }> {
  const wanted = new Set(users.map((u) => u.externalId));
  const last = new Map<string, LogEntry>();
  const until = Date.now() + timeoutMs;
  const filter = `jobid eq '${jobId.replace(/'/g, "''")}' and activityDateTime ge ${since.toISOString().slice(0, 19)}Z`;
  for (;;) {
    const page = await ctx.client().list<LogEntry>('/v1.0/auditLogs/provisioning', { $filter: filter, $top: 500 }, true);
    last.clear();
    for (const e of [...page.value].sort((a, b) => a.activityDateTime.localeCompare(b.activityDateTime))) {
      if (wanted.has(e.sourceIdentity.id)) last.set(e.sourceIdentity.id, e);
    }
    if (last.size >= wanted.size || Date.now() > until) break;
    await sleep(500);
  }
  if (last.size < wanted.size) ctx.warn(`${wanted.size - last.size} records were not processed within the timeout (is the job started?).`);
  const failed: RejectedRow[] = [];
  for (const u of users) {
    const e = last.get(u.externalId);
    if (e?.provisioningStatusInfo.status === 'failure') {
      const info = e.provisioningStatusInfo.errorInformation;
      failed.push({ row: u.row, externalId: u.externalId, reason: `${info?.errorCode ?? 'failure'}: ${info?.reason ?? ''}`.trim(), stage: 'provisioning' });
    }
  }
  return { seen: last.size, failed };
}
