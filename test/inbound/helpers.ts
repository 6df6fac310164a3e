/**
 * Inbound test helpers: an API-driven provisioning app on a test server,
 * SCIM bulk requests, uploads and waiting for their processing.
 */
import type { TestServer } from '../helpers/server.ts';
import { API2AAD_APPLICATION_TEMPLATE_ID } from '../../src/sync/templates/catalog.ts';

export const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
export const SCIM_JSON = 'application/scim+json';

export interface InboundApp {
  spId: string;
  appObjectId: string;
  jobId: string;
}

/** Instantiates the API-driven provisioning gallery app and creates its API2AAD job (paused, as Graph creates jobs). */
export async function createInboundApp(server: TestServer, displayName = 'HR inbound'): Promise<InboundApp> {
  const res = await server.api(`/v1.0/applicationTemplates/${API2AAD_APPLICATION_TEMPLATE_ID}/instantiate`, { method: 'POST', json: { displayName } });
  if (res.status !== 201) throw new Error(`instantiate: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { application: { id: string }; servicePrincipal: { id: string } };
  const spId = body.servicePrincipal.id;
  const job = await server.api(`/v1.0/servicePrincipals/${spId}/synchronization/jobs`, { method: 'POST', json: { templateId: 'API2AAD' } });
  if (job.status !== 201) throw new Error(`create job: ${job.status} ${await job.text()}`);
  const { id } = (await job.json()) as { id: string };
  return { spId, appObjectId: body.application.id, jobId: id };
}

export interface Person {
  externalId?: string;
  userName?: string;
  givenName?: string;
  familyName?: string;
  displayName?: string;
  title?: string;
  department?: string;
  manager?: string;
  active?: boolean;
  extra?: Record<string, unknown>;
}

/** A SCIM user as HR systems send it (G-BULK example 1's shape). */
export function scimUser(p: Person): Record<string, unknown> {
  const ent: Record<string, unknown> = {};
  if (p.department !== undefined) ent.department = p.department;
  if (p.manager !== undefined) ent.manager = { value: p.manager };
  return {
    schemas: [CORE, ENTERPRISE],
    ...(p.externalId !== undefined ? { externalId: p.externalId } : {}),
    ...(p.userName !== undefined ? { userName: p.userName } : {}),
    ...(p.givenName || p.familyName ? { name: { givenName: p.givenName, familyName: p.familyName } } : {}),
    ...(p.displayName !== undefined ? { displayName: p.displayName } : {}),
    ...(p.title !== undefined ? { title: p.title } : {}),
    ...(p.active !== undefined ? { active: p.active } : {}),
    ...(Object.keys(ent).length ? { [ENTERPRISE]: ent } : {}),
    ...p.extra,
  };
}

export function bulkRequest(users: Record<string, unknown>[]): Record<string, unknown> {
  return {
    schemas: [BULK],
    Operations: users.map((data, i) => ({ method: 'POST', bulkId: String((data.externalId as string | undefined) ?? `op${i}`), path: '/Users', data })),
    failOnErrors: null,
  };
}

export function uploadPath(app: InboundApp, side: 'servicePrincipals' | 'applications' = 'servicePrincipals'): string {
  return `/v1.0/${side}/${side === 'servicePrincipals' ? app.spId : app.appObjectId}/synchronization/jobs/${app.jobId}/bulkUpload`;
}

export function upload(server: TestServer, app: InboundApp, body: unknown, opts: { contentType?: string | null; side?: 'servicePrincipals' | 'applications' } = {}): Promise<Response> {
  const headers: Record<string, string> = {};
  if (opts.contentType !== null) headers['content-type'] = opts.contentType ?? SCIM_JSON;
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  // Bytes, so that fetch adds no Content-Type of its own (it would say text/plain for a string).
  return server.api(uploadPath(app, opts.side), { method: 'POST', headers, body: new TextEncoder().encode(text) });
}

/** Polls until `check` returns a value (not undefined/false), or fails after `ms`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false>, ms = 10_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Waits until nothing is staged for the job and no wake-up is running: every upload so far is processed. */
export async function processed(server: TestServer, jobId: string, ms = 10_000): Promise<void> {
  await waitFor('the staged records to be processed', async () => {
    await server.services.inbound.idle(jobId);
    return (await server.services.inbound.staging.pending(jobId)).count === 0;
  }, ms);
  await server.services.inbound.idle(jobId);
}

/** The directory user whose employeeId is `id`. */
export async function userByEmployeeId(server: TestServer, id: string) {
  for await (const batch of server.services.directory.streamUsers()) {
    const u = batch.find((x) => x.employeeId === id);
    if (u) return u;
  }
  return undefined;
}
