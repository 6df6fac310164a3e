/**
 * Applications and service principals: the owners of a synchronization.
 * Graph keeps them apart (an app registration and its instance in the
 * tenant); Provisio keeps both, linked by `appId`, and gives an application
 * at most one service principal, as a single tenant does.
 */
import { randomUUID } from 'node:crypto';
import type { Db, Store } from '../store/store.ts';
import { errors } from '../errors/graph-error.ts';
import type { Clock } from '../util/time.ts';

export interface ApplicationT {
  id: string;
  appId: string;
  displayName: string;
  createdDateTime: string;
  description: string | null;
  notes: string | null;
  signInAudience: string;
  tags: string[];
  identifierUris: string[];
  [k: string]: unknown;
}

export interface ServicePrincipalT {
  id: string;
  appId: string;
  displayName: string;
  appDisplayName: string;
  accountEnabled: boolean;
  applicationTemplateId: string | null;
  appOwnerOrganizationId: string;
  description: string | null;
  notes: string | null;
  servicePrincipalNames: string[];
  servicePrincipalType: string;
  preferredSingleSignOnMode: string | null;
  tags: string[];
  createdDateTime?: string;
  [k: string]: unknown;
}

export interface CreateApplicationInput {
  displayName: string;
  description?: string | null;
  notes?: string | null;
  tags?: string[];
  identifierUris?: string[];
  signInAudience?: string;
}

export interface CreateServicePrincipalInput {
  appId: string;
  accountEnabled?: boolean;
  description?: string | null;
  notes?: string | null;
  tags?: string[];
  appRoleAssignmentRequired?: boolean;
  preferredSingleSignOnMode?: string | null;
}

type Row<T> = { data: string } & T;

function appFromRow(r: Row<{ id: string; app_id: string; display_name: string; created_at: string }>): ApplicationT {
  return { ...(JSON.parse(r.data) as object), id: r.id, appId: r.app_id, displayName: r.display_name, createdDateTime: r.created_at } as ApplicationT;
}

function spFromRow(r: Row<{ id: string; app_id: string; display_name: string; created_at: string }>): ServicePrincipalT {
  return { ...(JSON.parse(r.data) as object), id: r.id, appId: r.app_id, displayName: r.display_name } as ServicePrincipalT;
}

export class ApplicationService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly tenantId: string,
  ) {}

  async createApplication(input: CreateApplicationInput, owner: string | null, db: Db = this.store.db, extra: Record<string, unknown> = {}): Promise<ApplicationT> {
    const now = this.clock.now().toISOString();
    const app: ApplicationT = {
      id: randomUUID(),
      appId: randomUUID(),
      displayName: input.displayName,
      createdDateTime: now,
      description: input.description ?? null,
      notes: input.notes ?? null,
      signInAudience: input.signInAudience ?? 'AzureADMyOrg',
      tags: input.tags ?? [],
      identifierUris: input.identifierUris ?? [],
      publisherDomain: null,
      ...extra,
    };
    const { id, appId, displayName, createdDateTime, ...data } = app;
    await db.insertInto('applications').values({
      id, app_id: appId, display_name: displayName, created_at: createdDateTime, data: JSON.stringify(data), owner_client_id: owner,
    }).execute();
    return app;
  }

  async createServicePrincipal(input: CreateServicePrincipalInput, owner: string | null, db: Db = this.store.db, extra: Record<string, unknown> = {}): Promise<ServicePrincipalT> {
    const appRow = await db.selectFrom('applications').selectAll().where('app_id', '=', input.appId).executeTakeFirst();
    if (!appRow) {
      throw errors.badRequest(`The appId '${input.appId}' of the service principal does not reference a valid application object.`, 'appId');
    }
    const existing = await db.selectFrom('service_principals').select('id').where('app_id', '=', input.appId).executeTakeFirst();
    if (existing) {
      throw errors.conflict(`A service principal with appId '${input.appId}' already exists.`, 'appId');
    }
    const now = this.clock.now().toISOString();
    const sp: ServicePrincipalT = {
      id: randomUUID(),
      appId: input.appId,
      displayName: appRow.display_name,
      appDisplayName: appRow.display_name,
      accountEnabled: input.accountEnabled ?? true,
      applicationTemplateId: null,
      appOwnerOrganizationId: this.tenantId,
      appRoleAssignmentRequired: input.appRoleAssignmentRequired ?? false,
      description: input.description ?? null,
      notes: input.notes ?? null,
      preferredSingleSignOnMode: input.preferredSingleSignOnMode ?? null,
      servicePrincipalNames: [input.appId],
      servicePrincipalType: 'Application',
      tags: input.tags ?? [],
      createdDateTime: now,
      ...extra,
    };
    const { id, appId, displayName, ...data } = sp;
    await db.insertInto('service_principals').values({
      id, app_id: appId, application_id: appRow.id, display_name: displayName, created_at: now, data: JSON.stringify(data), owner_client_id: owner,
    }).execute();
    return sp;
  }

  async getApplication(id: string, db: Db = this.store.db): Promise<ApplicationT> {
    const r = await db.selectFrom('applications').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r) throw errors.resourceNotFound('application', id);
    return appFromRow(r);
  }

  async getServicePrincipal(id: string, db: Db = this.store.db): Promise<ServicePrincipalT> {
    const r = await db.selectFrom('service_principals').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r) throw errors.resourceNotFound('servicePrincipal', id);
    return spFromRow(r);
  }

  /** The owner client of a service principal or application (for Application.ReadWrite.OwnedBy). */
  async ownerOf(kind: 'application' | 'servicePrincipal', id: string): Promise<string | null | undefined> {
    const table = kind === 'application' ? 'applications' : 'service_principals';
    const r = await this.store.db.selectFrom(table).select('owner_client_id').where('id', '=', id).executeTakeFirst();
    return r ? r.owner_client_id : undefined;
  }

  /**
   * The service principal whose synchronization an application's
   * `/synchronization` addresses: the one instance of that app in this
   * tenant (docs/adr/0002-application-side-synchronization.md).
   */
  async servicePrincipalForApplication(applicationId: string): Promise<ServicePrincipalT> {
    const app = await this.store.db.selectFrom('applications').select(['app_id']).where('id', '=', applicationId).executeTakeFirst();
    if (!app) throw errors.resourceNotFound('application', applicationId);
    const r = await this.store.db.selectFrom('service_principals').selectAll().where('app_id', '=', app.app_id).executeTakeFirst();
    if (!r) {
      throw errors.itemNotFound(`Application '${applicationId}' has no service principal in this tenant, so it has no synchronization; create one with POST /servicePrincipals.`);
    }
    return spFromRow(r);
  }

  /** Keyset-paged listing ordered by id. */
  async listApplications(opts: { top: number; after?: string }): Promise<{ items: ApplicationT[]; last?: string }> {
    let q = this.store.db.selectFrom('applications').selectAll().orderBy('id').limit(opts.top + 1);
    if (opts.after) q = q.where('id', '>', opts.after);
    const rows = await q.execute();
    const items = rows.slice(0, opts.top).map(appFromRow);
    return rows.length > opts.top ? { items, last: items[items.length - 1]?.id } : { items };
  }

  async listServicePrincipals(opts: { top: number; after?: string }): Promise<{ items: ServicePrincipalT[]; last?: string }> {
    let q = this.store.db.selectFrom('service_principals').selectAll().orderBy('id').limit(opts.top + 1);
    if (opts.after) q = q.where('id', '>', opts.after);
    const rows = await q.execute();
    const items = rows.slice(0, opts.top).map(spFromRow);
    return rows.length > opts.top ? { items, last: items[items.length - 1]?.id } : { items };
  }

  /** Deleting an application deletes its service principal and everything synchronization kept for it. */
  async deleteApplication(id: string): Promise<void> {
    await this.store.transaction(async (trx) => {
      const app = await trx.selectFrom('applications').select(['app_id']).where('id', '=', id).executeTakeFirst();
      if (!app) throw errors.resourceNotFound('application', id);
      const sp = await trx.selectFrom('service_principals').select('id').where('app_id', '=', app.app_id).executeTakeFirst();
      if (sp) await deleteServicePrincipalRows(trx, sp.id);
      await trx.deleteFrom('applications').where('id', '=', id).execute();
    });
  }

  async deleteServicePrincipal(id: string): Promise<void> {
    await this.store.transaction(async (trx) => {
      const sp = await trx.selectFrom('service_principals').select('id').where('id', '=', id).executeTakeFirst();
      if (!sp) throw errors.resourceNotFound('servicePrincipal', id);
      await deleteServicePrincipalRows(trx, id);
    });
  }
}

async function deleteServicePrincipalRows(db: Db, spId: string): Promise<void> {
  await db.deleteFrom('sync_jobs').where('sp_id', '=', spId).execute();
  await db.deleteFrom('sync_secrets').where('sp_id', '=', spId).execute();
  await db.deleteFrom('sync_templates').where('sp_id', '=', spId).execute();
  await db.deleteFrom('service_principals').where('id', '=', spId).execute();
}
