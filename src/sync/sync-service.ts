/**
 * The synchronization control plane of one tenant: templates, secrets, jobs
 * and their schemas, per service principal — everything of the Graph
 * synchronization API that needs no engine. The engine reads jobs and
 * pending restarts through this service and writes status through it.
 */
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { Db, Store } from '../store/store.ts';
import type { SecretBox } from '../util/crypto.ts';
import type { Clock } from '../util/time.ts';
import { errors, GraphError } from '../errors/graph-error.ts';
import { parseDuration } from '../util/duration.ts';
import type {
  JobCreateBodyT, KeyValuePairT, SynchronizationBodyT, SynchronizationJobT, SynchronizationSchemaT,
  SynchronizationStatusT, SynchronizationTemplateT, TemplateBodyT, SecretName,
} from '../graph/sync-schemas.ts';
import { SYNCHRONIZATION_SECRETS } from '../graph/sync-schemas.ts';
import type { TemplateCatalog, TemplateFactory } from './templates/port.ts';
import type { StoredSchedule } from './job-model.ts';
import type { Fence } from '../scheduler/leases.ts';
import { writeDue } from '../scheduler/due.ts';
import { applyPause, applyRestart, applyStart, initialSchedule, initialStatus, parseResetScope, publicSchedule, resetScopeStarts } from './job-model.ts';

/** One problem found in a schema; `target` names where (rule, mapping, attribute). */
export interface SchemaProblem {
  message: string;
  target: string;
}
export type SchemaValidator = (schema: SynchronizationSchemaT) => SchemaProblem[];

/** Secrets whose values are never returned: credentials, not settings. */
const SENSITIVE = new Set<string>([
  'Password', 'SecretToken', 'AppKey', 'ClientSecret', 'ConsumerSecret', 'TokenKey', 'Oauth2AccessToken',
  'Oauth2RefreshToken', 'Oauth2ClientSecret', 'Oauth2AuthorizationCode', 'ConnectionString',
]);
/** What a sensitive secret reads as; PUT-ing it back keeps the stored value. */
export const SECRET_MASK = '******';
/** Secrets whose value is JSON; Entra refuses "" for them (graph-sync-api.md §3.1.2). */
const JSON_SECRETS = new Set<string>(['SyncNotificationSettings']);

export interface JobRecord {
  id: string;
  spId: string;
  templateId: string;
  schedule: StoredSchedule;
  status: SynchronizationStatusT;
  settings: KeyValuePairT[];
  schema: SynchronizationSchemaT;
  pendingResetScope: string | null;
  rowVersion: number;
}

export type JobEvent = { kind: 'created' | 'started' | 'paused' | 'restarted' | 'deleted' | 'schema'; jobId: string; spId: string };

interface JobRow {
  id: string; sp_id: string; template_id: string; schedule: string; status: string; settings: string; schema: string;
  pending_reset_scope: string | null; row_version: number;
}

function jobFromRow(r: JobRow): JobRecord {
  return {
    id: r.id, spId: r.sp_id, templateId: r.template_id,
    schedule: JSON.parse(r.schedule) as StoredSchedule,
    status: JSON.parse(r.status) as SynchronizationStatusT,
    settings: JSON.parse(r.settings) as KeyValuePairT[],
    schema: JSON.parse(r.schema) as SynchronizationSchemaT,
    pendingResetScope: r.pending_reset_scope,
    rowVersion: Number(r.row_version),
  };
}

export function publicJob(j: JobRecord): SynchronizationJobT {
  return { id: j.id, templateId: j.templateId, schedule: publicSchedule(j.schedule), status: j.status, synchronizationJobSettings: j.settings };
}

const clone = <T>(v: T): T => structuredClone(v);

export class SyncService {
  readonly events = new EventEmitter<{ job: [JobEvent] }>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly box: SecretBox,
    private readonly catalog: TemplateCatalog,
    private readonly tenantId: string,
    private readonly validateSchema: SchemaValidator,
  ) {}

  // ---------------------------------------------------------------- templates

  /** Gives a service principal the templates of the given factories (idempotent). */
  async seedTemplates(spId: string, appId: string, factoryTags: string[], db: Db = this.store.db): Promise<void> {
    for (const tag of factoryTags) {
      const f = this.requireFactory(tag);
      await db.insertInto('sync_templates').values({
        sp_id: spId, id: f.templateId, factory_tag: f.factoryTag, schema: null,
        data: JSON.stringify({ applicationId: appId, default: true, discoverable: true, description: f.description, metadata: f.metadata }),
      }).onConflict((oc) => oc.columns(['sp_id', 'id']).doNothing()).execute();
    }
  }

  private requireFactory(tag: string): TemplateFactory {
    const f = this.catalog.factory(tag);
    if (!f) throw errors.badRequest(`Unknown factoryTag '${tag}'; known: ${this.catalog.factories().map((x) => x.factoryTag).join(', ')}.`, 'factoryTag');
    return f;
  }

  private templateSchema(row: { id: string; factory_tag: string; schema: string | null }): SynchronizationSchemaT {
    const schema = row.schema ? (JSON.parse(row.schema) as SynchronizationSchemaT) : this.requireFactory(row.factory_tag).defaultSchema();
    return { ...schema, id: row.id };
  }

  private templateFromRow(row: { id: string; factory_tag: string; data: string; schema: string | null }, withSchema: boolean): SynchronizationTemplateT {
    const d = JSON.parse(row.data) as Omit<SynchronizationTemplateT, 'id' | 'factoryTag'>;
    return {
      id: row.id,
      applicationId: d.applicationId,
      default: d.default ?? false,
      description: d.description ?? null,
      discoverable: d.discoverable ?? false,
      factoryTag: row.factory_tag,
      metadata: d.metadata ?? [],
      ...(withSchema ? { schema: this.templateSchema(row) } : {}),
    };
  }

  async listTemplates(spId: string): Promise<SynchronizationTemplateT[]> {
    const rows = await this.store.db.selectFrom('sync_templates').selectAll().where('sp_id', '=', spId).orderBy('id').execute();
    return rows.map((r) => this.templateFromRow(r, true));
  }

  private async templateRow(spId: string, templateId: string, db: Db = this.store.db) {
    const row = await db.selectFrom('sync_templates').selectAll().where('sp_id', '=', spId).where('id', '=', templateId).executeTakeFirst();
    if (!row) throw errors.itemNotFound(`The synchronization template '${templateId}' does not exist for this service principal.`, 'templateId');
    return row;
  }

  async getTemplate(spId: string, templateId: string): Promise<SynchronizationTemplateT> {
    return this.templateFromRow(await this.templateRow(spId, templateId), true);
  }

  async getTemplateSchema(spId: string, templateId: string): Promise<SynchronizationSchemaT> {
    return this.templateSchema(await this.templateRow(spId, templateId));
  }

  /** PUT/PATCH template (application side): the body replaces the template; what it leaves out is erased. */
  async replaceTemplate(spId: string, templateId: string, body: TemplateBodyT, db: Db = this.store.db): Promise<void> {
    const existing = await db.selectFrom('sync_templates').selectAll().where('sp_id', '=', spId).where('id', '=', templateId).executeTakeFirst();
    if (body.id && body.id !== templateId) throw errors.badRequest(`The template id in the body ('${body.id}') differs from the one in the URL ('${templateId}').`, 'id');
    const factoryTag = body.factoryTag ?? existing?.factory_tag;
    if (!factoryTag) throw errors.badRequest(`A new template needs a factoryTag.`, 'factoryTag');
    this.requireFactory(factoryTag);
    let schema: string | null = null;
    if (body.schema) {
      this.checkSchema(body.schema);
      schema = JSON.stringify({ ...body.schema, id: templateId, version: body.schema.version ?? 'v1.0' });
    }
    const sp = await db.selectFrom('service_principals').select('app_id').where('id', '=', spId).executeTakeFirstOrThrow();
    const data = JSON.stringify({
      applicationId: body.applicationId ?? sp.app_id,
      default: body.default ?? false,
      discoverable: body.discoverable ?? false,
      description: body.description ?? null,
      metadata: body.metadata ?? [],
    });
    await db.insertInto('sync_templates').values({ sp_id: spId, id: templateId, factory_tag: factoryTag, data, schema })
      .onConflict((oc) => oc.columns(['sp_id', 'id']).doUpdateSet({ factory_tag: factoryTag, data, schema }))
      .execute();
  }

  async putTemplateSchema(spId: string, templateId: string, schema: SynchronizationSchemaT): Promise<void> {
    const row = await this.templateRow(spId, templateId);
    this.checkSchema(schema);
    const version = nextVersion(row.schema ? (JSON.parse(row.schema) as SynchronizationSchemaT).version : undefined);
    await this.store.db.updateTable('sync_templates').set({ schema: JSON.stringify({ ...schema, id: templateId, version }) })
      .where('sp_id', '=', spId).where('id', '=', templateId).execute();
  }

  /** DELETE template schema: back to the factory default. */
  async resetTemplateSchema(spId: string, templateId: string): Promise<void> {
    await this.templateRow(spId, templateId);
    await this.store.db.updateTable('sync_templates').set({ schema: null }).where('sp_id', '=', spId).where('id', '=', templateId).execute();
  }

  // ------------------------------------------------------------------ secrets

  /** PUT …/secrets: merges by key; "" removes a plain secret. */
  async putSecrets(spId: string, pairs: { key: string; value?: string | null }[], db: Db = this.store.db): Promise<void> {
    const checked = pairs.map((p, i) => ({ key: checkSecretKey(p.key, i), value: p.value ?? '' }));
    for (const { key, value } of checked) {
      if (JSON_SECRETS.has(key)) {
        if (value === '') {
          throw new GraphError(400, 'UnknownError', JSON.stringify({ error: { code: 'InvalidNotificationSettings', message: null, target: null, details: [], innerError: null } }), { target: key });
        }
        try {
          JSON.parse(value);
        } catch {
          throw errors.badRequest(`The secret '${key}' must hold a JSON object, e.g. {"Enabled":false}.`, key);
        }
      }
    }
    for (const { key, value } of checked) {
      if (value === SECRET_MASK) continue; // a masked value read back: keep what is stored
      if (value === '') {
        await db.deleteFrom('sync_secrets').where('sp_id', '=', spId).where('key', '=', key).execute();
        continue;
      }
      const value_enc = this.box.seal(value);
      await db.insertInto('sync_secrets').values({ sp_id: spId, key, value_enc })
        .onConflict((oc) => oc.columns(['sp_id', 'key']).doUpdateSet({ value_enc })).execute();
    }
  }

  /** The secrets as the API shows them: sensitive values masked. */
  async listSecretsMasked(spId: string): Promise<{ key: string; value: string }[]> {
    const all = await this.readSecrets(spId);
    return Object.entries(all).map(([key, value]) => ({ key, value: SENSITIVE.has(key) ? SECRET_MASK : value }));
  }

  /** Decrypted secrets, for the engine and credential checks only. Never return these over the API. */
  async readSecrets(spId: string, db: Db = this.store.db): Promise<Partial<Record<SecretName, string>>> {
    const rows = await db.selectFrom('sync_secrets').selectAll().where('sp_id', '=', spId).orderBy('key').execute();
    const out: Partial<Record<SecretName, string>> = {};
    for (const r of rows) out[r.key as SecretName] = this.box.open(r.value_enc);
    return out;
  }

  private async hasCredentials(spId: string, db: Db): Promise<boolean> {
    const r = await db.selectFrom('sync_secrets').select('key').where('sp_id', '=', spId).limit(1).executeTakeFirst();
    return r !== undefined;
  }

  // --------------------------------------------------------------------- jobs

  async createJob(spId: string, body: JobCreateBodyT, db: Db = this.store.db, id?: string): Promise<JobRecord> {
    const row = await db.selectFrom('sync_templates').selectAll().where('sp_id', '=', spId).where('id', '=', body.templateId).executeTakeFirst();
    if (!row) {
      const known = await db.selectFrom('sync_templates').select('id').where('sp_id', '=', spId).execute();
      throw errors.badRequest(
        `The templateId '${body.templateId}' does not match any template of this service principal (available: ${known.map((k) => k.id).join(', ') || 'none'}).`,
        'templateId',
      );
    }
    const factory = this.requireFactory(row.factory_tag);
    const interval = body.schedule?.interval ?? null;
    if (interval !== null) checkInterval(interval);
    const jobId = id ?? `${body.templateId}.${this.tenantId.replace(/-/g, '')}.${randomUUID()}`;
    let schema = this.templateSchema(row);
    if (body.schema) {
      this.checkSchema(body.schema);
      schema = body.schema;
    }
    const now = this.clock.now().toISOString();
    const job: JobRecord = {
      id: jobId,
      spId,
      templateId: body.templateId,
      schedule: initialSchedule(interval, body.schedule?.expiration ?? null),
      status: initialStatus((await this.hasCredentials(spId, db)) ? 'Paused' : 'NotConfigured'),
      settings: mergeSettings(factory.jobSettings, body.synchronizationJobSettings ?? []),
      schema: { ...schema, id: jobId, version: schema.version ?? 'v1.0' },
      pendingResetScope: null,
      rowVersion: 0,
    };
    await db.insertInto('sync_jobs').values({
      id: job.id, sp_id: spId, template_id: job.templateId, schedule: JSON.stringify(job.schedule), status: JSON.stringify(job.status),
      settings: JSON.stringify(job.settings), schema: JSON.stringify(job.schema), pending_reset_scope: null, created_at: now, updated_at: now,
    }).execute();
    await writeDue(db, job, this.clock.now().getTime());
    this.emit({ kind: 'created', jobId, spId });
    return job;
  }

  async listJobs(spId: string): Promise<JobRecord[]> {
    const rows = await this.store.db.selectFrom('sync_jobs').selectAll().where('sp_id', '=', spId).orderBy('created_at').orderBy('id').execute();
    return rows.map(jobFromRow);
  }

  async getJob(spId: string, jobId: string, db: Db = this.store.db): Promise<JobRecord> {
    const r = await db.selectFrom('sync_jobs').selectAll().where('sp_id', '=', spId).where('id', '=', jobId).executeTakeFirst();
    if (!r) throw jobNotFound(jobId);
    return jobFromRow(r);
  }

  /** Any job by id, for the engine. */
  async findJob(jobId: string): Promise<JobRecord | undefined> {
    const r = await this.store.db.selectFrom('sync_jobs').selectAll().where('id', '=', jobId).executeTakeFirst();
    return r && jobFromRow(r);
  }

  /** Every job whose schedule is Active (for the runner). */
  async activeJobs(): Promise<JobRecord[]> {
    const rows = await this.store.db.selectFrom('sync_jobs').selectAll().execute();
    return rows.map(jobFromRow).filter((j) => j.schedule.state === 'Active');
  }

  async deleteJob(spId: string, jobId: string): Promise<void> {
    const res = await this.store.transaction(async (trx) => {
      const r = await trx.deleteFrom('sync_jobs').where('sp_id', '=', spId).where('id', '=', jobId).executeTakeFirst();
      // A worker running the job finds its lease gone at its next write and stops.
      await trx.deleteFrom('sync_job_schedule').where('job_id', '=', jobId).execute();
      return r;
    });
    if (Number(res.numDeletedRows) === 0) throw jobNotFound(jobId);
    this.emit({ kind: 'deleted', jobId, spId });
  }

  async startJob(spId: string, jobId: string): Promise<void> {
    await this.mutateJob(spId, jobId, (job) => {
      const f = this.catalogFactoryForJob(job);
      const [schedule, status] = applyStart(job.schedule, job.status, f?.defaultInterval ?? 'PT40M');
      return { schedule, status };
    }, { request: true });
    this.emit({ kind: 'started', jobId, spId });
  }

  async pauseJob(spId: string, jobId: string): Promise<void> {
    await this.mutateJob(spId, jobId, (job) => {
      const [schedule, status] = applyPause(job.schedule, job.status);
      return { schedule, status };
    });
    this.emit({ kind: 'paused', jobId, spId });
  }

  async restartJob(spId: string, jobId: string, resetScope: string | null | undefined): Promise<void> {
    const flags = parseResetScope(resetScope);
    const start = resetScopeStarts(resetScope);
    await this.mutateJob(spId, jobId, (job) => {
      const [schedule, status, pending] = applyRestart(job.schedule, job.status, flags, job.pendingResetScope);
      if (!start) return { schedule, status, pendingResetScope: pending };
      const [started, startedStatus] = applyStart(schedule, status, this.catalogFactoryForJob(job)?.defaultInterval ?? 'PT40M');
      return { schedule: started, status: startedStatus, pendingResetScope: pending };
    }, { request: true });
    this.emit({ kind: 'restarted', jobId, spId });
  }

  async putJobSchema(spId: string, jobId: string, schema: SynchronizationSchemaT): Promise<void> {
    this.checkSchema(schema);
    await this.mutateJob(spId, jobId, (job) => ({ schema: { ...schema, id: jobId, version: nextVersion(job.schema.version) } }));
    this.emit({ kind: 'schema', jobId, spId });
  }

  /** DELETE job schema: back to the template's schema. */
  async resetJobSchema(spId: string, jobId: string): Promise<void> {
    const job = await this.getJob(spId, jobId);
    const row = await this.store.db.selectFrom('sync_templates').selectAll().where('sp_id', '=', spId).where('id', '=', job.templateId).executeTakeFirst();
    const base = row ? this.templateSchema(row) : this.catalogFactoryForJob(job)?.defaultSchema();
    if (!base) throw errors.badRequest(`The job's template '${job.templateId}' no longer exists, so there is no default schema to reset to.`);
    await this.mutateJob(spId, jobId, (j) => ({ schema: { ...base, id: jobId, version: nextVersion(j.schema.version) } }));
    this.emit({ kind: 'schema', jobId, spId });
  }

  /**
   * Writes a job's control fields with optimistic concurrency: the row is
   * updated only if nobody wrote it since it was read (retried a few times).
   * The job's due time is written with it. `fence`: the write is made by a
   * cycle under a lease and fails with LeaseLostError once the lease is
   * lost; `request`: "sync now" (Start, Restart) — the job is due at once.
   */
  async mutateJob(
    spId: string, jobId: string,
    change: (job: JobRecord) => Partial<Pick<JobRecord, 'schedule' | 'status' | 'schema' | 'settings' | 'pendingResetScope'>>,
    opts: { fence?: Fence; request?: boolean } = {},
  ): Promise<JobRecord> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const job = await this.getJob(spId, jobId);
      const patch = change(job);
      const next = { ...job, ...patch, rowVersion: job.rowVersion + 1 };
      const now = this.clock.now();
      const written = await this.store.transaction(async (trx) => {
        if (opts.fence) await opts.fence.check(trx);
        const res = await trx.updateTable('sync_jobs').set({
          schedule: JSON.stringify(next.schedule), status: JSON.stringify(next.status), schema: JSON.stringify(next.schema),
          settings: JSON.stringify(next.settings), pending_reset_scope: next.pendingResetScope,
          row_version: next.rowVersion, updated_at: now.toISOString(),
        }).where('id', '=', jobId).where('row_version', '=', job.rowVersion).executeTakeFirst();
        if (Number(res.numUpdatedRows) !== 1) return false;
        // Under a lease the scheduler writes the due time when it releases the lease. (Writing it here
        // would also take the schedule row's write lock while the fence holds it shared: a deadlock.)
        if (!opts.fence) await writeDue(trx, next, now.getTime(), { requested: opts.request ?? false });
        return true;
      });
      if (written) return next;
    }
    throw new GraphError(409, 'resourceModified', `The job '${jobId}' is being changed concurrently; retry the request.`);
  }

  private catalogFactoryForJob(job: JobRecord): TemplateFactory | undefined {
    return this.catalog.factories().find((f) => f.templateId === job.templateId);
  }

  // ----------------------------------------------------- the whole container

  /**
   * PUT …/synchronization (seed 001): `secrets`, when present, replace the
   * stored set; `templates` and `jobs` are matched by id — updated when they
   * exist, created when new. An absent collection leaves that part as it is;
   * nothing is deleted by omission (docs/synchronization-api.md). All or
   * nothing: one transaction.
   */
  async putSynchronization(spId: string, appId: string, body: SynchronizationBodyT): Promise<void> {
    const events: JobEvent[] = [];
    await this.store.transaction(async (trx) => {
      if (body.templates) {
        for (const [i, t] of body.templates.entries()) {
          if (!t.id) throw errors.badRequest(`templates[${i}] needs an id.`, `templates[${i}].id`);
          await this.replaceTemplate(spId, t.id, { ...t, applicationId: t.applicationId ?? appId }, trx);
        }
      }
      if (body.secrets) {
        const keep = new Set<string>(body.secrets.map((s, i) => checkSecretKey(s.key, i)));
        const stored = await trx.selectFrom('sync_secrets').select('key').where('sp_id', '=', spId).execute();
        for (const { key } of stored) {
          if (!keep.has(key)) await trx.deleteFrom('sync_secrets').where('sp_id', '=', spId).where('key', '=', key).execute();
        }
        await this.putSecrets(spId, body.secrets, trx);
      }
      for (const [i, j] of (body.jobs ?? []).entries()) {
        const existing = j.id ? await trx.selectFrom('sync_jobs').selectAll().where('id', '=', j.id).executeTakeFirst() : undefined;
        if (existing && existing.sp_id !== spId) throw errors.badRequest(`jobs[${i}]: the job '${j.id}' belongs to another service principal.`, `jobs[${i}].id`);
        if (!existing) {
          if (!j.templateId) throw errors.badRequest(`jobs[${i}] is new and needs a templateId.`, `jobs[${i}].templateId`);
          if (j.id && !/^[\w.-]{1,200}$/.test(j.id)) throw errors.badRequest(`jobs[${i}].id '${j.id}' is not a valid job id.`, `jobs[${i}].id`);
          const created = await this.createJob(spId, { templateId: j.templateId, schedule: j.schedule, synchronizationJobSettings: j.synchronizationJobSettings, schema: j.schema }, trx, j.id ?? undefined);
          events.push({ kind: 'created', jobId: created.id, spId });
          continue;
        }
        const job = jobFromRow(existing);
        if (j.templateId && j.templateId !== job.templateId) throw errors.badRequest(`jobs[${i}]: templateId cannot change ('${job.templateId}' → '${j.templateId}').`, `jobs[${i}].templateId`);
        let schedule = job.schedule;
        if (j.schedule?.interval) {
          checkInterval(j.schedule.interval);
          schedule = { ...schedule, interval: j.schedule.interval, explicitInterval: j.schedule.interval };
        }
        if (j.schedule && 'expiration' in j.schedule) schedule = { ...schedule, expiration: j.schedule.expiration ?? null };
        let schema = job.schema;
        if (j.schema) {
          this.checkSchema(j.schema);
          schema = { ...j.schema, id: job.id, version: nextVersion(job.schema.version) };
        }
        const settings = j.synchronizationJobSettings ?? job.settings;
        await trx.updateTable('sync_jobs').set({
          schedule: JSON.stringify(schedule), schema: JSON.stringify(schema), settings: JSON.stringify(settings),
          row_version: job.rowVersion + 1, updated_at: this.clock.now().toISOString(),
        }).where('id', '=', job.id).execute();
        await writeDue(trx, { ...job, schedule, schema, settings }, this.clock.now().getTime());
        events.push({ kind: 'schema', jobId: job.id, spId });
      }
    });
    events.forEach((e) => this.emit(e));
  }

  private checkSchema(schema: SynchronizationSchemaT): void {
    const problems = this.validateSchema(schema);
    if (problems.length === 0) return;
    const [first] = problems;
    throw errors.badRequest(
      problems.length === 1 ? `Invalid schema: ${first!.message}` : `Invalid schema: ${first!.message} (and ${problems.length - 1} more problem(s), listed in details).`,
      first!.target,
      problems.slice(0, 50).map((p) => ({ code: 'InvalidSchema', message: p.message, target: p.target })),
    );
  }

  private emit(e: JobEvent): void {
    this.events.emit('job', e);
  }
}

function jobNotFound(jobId: string): GraphError {
  return errors.itemNotFound(`The synchronization job '${jobId}' does not exist.`, 'jobId');
}

function checkSecretKey(key: string, index: number): SecretName {
  const found = SYNCHRONIZATION_SECRETS.find((k) => k === (key as SecretName)) ?? SYNCHRONIZATION_SECRETS.find((k) => k.toLowerCase() === key.toLowerCase());
  if (!found || found === 'None') {
    throw errors.badRequest(`value[${index}].key: '${key}' is not a synchronizationSecret (e.g. BaseAddress, SecretToken, SyncAll).`, `value[${index}].key`);
  }
  return found;
}

function checkInterval(interval: string): void {
  const ms = parseDuration(interval);
  if (ms === undefined || ms < 1000) {
    throw errors.badRequest(`schedule.interval '${interval}' is not an ISO 8601 duration of at least one second (e.g. PT40M, PT30S, P1D).`, 'schedule.interval');
  }
}

function mergeSettings(defaults: KeyValuePairT[], given: KeyValuePairT[]): KeyValuePairT[] {
  const out = new Map(defaults.map((s) => [s.name.toLowerCase(), clone(s)]));
  for (const s of given) out.set(s.name.toLowerCase(), clone(s));
  return [...out.values()];
}

/** "v1.0" → "v1.1": the version Graph says is updated with every schema change. */
export function nextVersion(v: string | null | undefined): string {
  const m = /^v(\d+)\.(\d+)$/.exec(v ?? '');
  return m ? `v${m[1]}.${Number(m[2]) + 1}` : 'v1.1';
}
