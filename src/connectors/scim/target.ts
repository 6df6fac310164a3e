/**
 * The SCIM 2.0 target: the {@link TargetPort} over HTTP. The dialect words
 * each request body, the client sends it (concurrency, retries, dry run,
 * error classes); this file decides which request each port operation is
 * (entra-behavior.md §6.2–§6.5) and checks that answers are valid SCIM.
 */
import { randomUUID } from 'node:crypto';
import type {
  AttributeChange,
  ScimResource,
  SetManagerOptions,
  TargetObject,
  TargetPort,
  TargetStats,
  TestConnectionOptions,
} from '../ports.ts';
import { DuplicateTargetError, RejectedTargetError, StopRunError, TargetErrorCodes as Codes, truncate } from '../errors.ts';
import { isManagerPath, parseTargetPath, SCIM } from '../target-attributes.ts';
import { createScimClient } from './client.ts';
import type { PlannedRequest, RequestIntent, ScimClientOptions, ScimHttpClient, ScimMethod, ScimResponse } from './client.ts';
import { dialectByName, dialectFromBaseAddress, matchQuery } from './dialects.ts';
import type { DialectName, ScimDialect, StrictDialectOptions } from './dialects.ts';

/**
 * Members per PATCH. Entra batches several members per PATCH but does not
 * document how many (entra-behavior.md §6.5, §11); 100 is the largest batch
 * widely accepted (AWS IAM Identity Center's limit, peers.md §4), and a
 * configurable default.
 */
export const DEFAULT_MEMBER_CHUNK_SIZE = 100;

/** Options of {@link createScimTarget}: the client's, plus where and how to talk. */
export interface ScimTargetOptions extends Omit<ScimClientOptions, 'baseUrl'> {
  /**
   * The tenant URL (Entra's `BaseAddress` secret), possibly carrying
   * compatibility flags as query parameters (`?aadOptscim062020`).
   */
  baseAddress: string;
  /** Overrides the dialect the flags select. */
  dialect?: DialectName | ScimDialect;
  /** Options of the strict dialect when it is selected by name or flag. */
  strictDialect?: StrictDialectOptions;
  /** Members per PATCH for `addMembers` / `removeMembers` (default {@link DEFAULT_MEMBER_CHUNK_SIZE}). */
  memberChunkSize?: number;
  /** Source of the random GUIDs of `testConnection` (tests inject one). */
  randomGuid?: () => string;
}

/** A SCIM 2.0 application as a target. Create with {@link createScimTarget}. */
export class ScimTarget implements TargetPort {
  readonly kind = 'scim';
  readonly dialect: ScimDialect;
  readonly client: ScimHttpClient;
  readonly memberChunkSize: number;
  private readonly randomGuid: () => string;

  constructor(options: ScimTargetOptions) {
    const fromAddress = dialectFromBaseAddress(options.baseAddress, options.strictDialect);
    this.dialect =
      options.dialect === undefined
        ? fromAddress.dialect
        : typeof options.dialect === 'string'
          ? dialectByName(options.dialect, options.strictDialect)
          : options.dialect;
    this.client = createScimClient({ ...options, baseUrl: fromAddress.baseUrl });
    this.memberChunkSize = options.memberChunkSize ?? DEFAULT_MEMBER_CHUNK_SIZE;
    if (!Number.isInteger(this.memberChunkSize) || this.memberChunkSize < 1) {
      throw new Error(`memberChunkSize must be a positive integer, got ${this.memberChunkSize}`);
    }
    this.randomGuid = options.randomGuid ?? randomUUID;
  }

  /** The SCIM base URL requests go to (flags removed). */
  get baseUrl(): string {
    return this.client.baseUrl;
  }

  async testConnection(options: TestConnectionOptions = {}): Promise<void> {
    // §6.2: a user that cannot exist, by a random GUID, expecting 200 and an
    // empty ListResponse; then the same for groups.
    await this.probe('/Users', matchQuery('userName', this.randomGuid()));
    if (options.groups ?? true) await this.probe('/Groups', matchQuery('displayName', this.randomGuid(), true));
  }

  findUser(attribute: string, value: string | number | boolean): Promise<TargetObject | undefined> {
    return this.find('/Users', matchQuery(attribute, value));
  }

  findGroup(attribute: string, value: string | number | boolean): Promise<TargetObject | undefined> {
    // §6.5: groups are always queried with excludedAttributes=members.
    return this.find('/Groups', matchQuery(attribute, value, true));
  }

  async getUser(id: string): Promise<TargetObject> {
    const res = await this.send('GET', itemPath('/Users', id), 'read');
    return this.resource(res, 'GET', itemPath('/Users', id));
  }

  async getGroup(id: string): Promise<TargetObject> {
    const res = await this.send('GET', itemPath('/Groups', id), 'read', undefined, 'excludedAttributes=members');
    return this.resource(res, 'GET', itemPath('/Groups', id));
  }

  async createUser(resource: ScimResource): Promise<TargetObject> {
    const res = await this.send('POST', '/Users', 'create', this.dialect.createUserBody(withSchemas(resource, SCIM.coreUser)));
    return this.resource(res, 'POST', '/Users');
  }

  async createGroup(resource: ScimResource): Promise<TargetObject> {
    const res = await this.send('POST', '/Groups', 'create', this.dialect.createGroupBody(withSchemas(resource, SCIM.coreGroup)));
    return this.resource(res, 'POST', '/Groups');
  }

  async updateUser(id: string, changes: readonly AttributeChange[]): Promise<void> {
    if (changes.length === 0) return;
    await this.send('PATCH', itemPath('/Users', id), 'update', this.dialect.patchBody(changes, this.baseUrl));
  }

  async updateGroup(id: string, changes: readonly AttributeChange[]): Promise<void> {
    if (changes.length === 0) return;
    for (const c of changes) {
      const first = parseTargetPath(c.path).segments[0];
      if (first?.name.toLowerCase() === 'members') throw new Error('Group members change through addMembers/removeMembers, not updateGroup');
      if (isManagerPath(c.path)) throw new Error('Groups have no manager');
    }
    await this.send('PATCH', itemPath('/Groups', id), 'update', this.dialect.patchBody(changes, this.baseUrl));
  }

  async setActive(id: string, active: boolean): Promise<void> {
    await this.send('PATCH', itemPath('/Users', id), 'update', this.dialect.activeBody(active));
  }

  async deleteUser(id: string): Promise<void> {
    await this.send('DELETE', itemPath('/Users', id), 'delete');
  }

  async deleteGroup(id: string): Promise<void> {
    await this.send('DELETE', itemPath('/Groups', id), 'delete');
  }

  async addMembers(groupId: string, memberIds: readonly string[]): Promise<void> {
    // Chunks go one after the other: they touch the same group, and parallel
    // PATCHes of one resource race on the server (read-modify-write).
    for (const chunk of chunks(memberIds, this.memberChunkSize)) {
      await this.send('PATCH', itemPath('/Groups', groupId), 'update', this.dialect.addMembersBody(chunk));
    }
  }

  async removeMembers(groupId: string, memberIds: readonly string[]): Promise<void> {
    for (const chunk of chunks(memberIds, this.memberChunkSize)) {
      await this.send('PATCH', itemPath('/Groups', groupId), 'update', this.dialect.removeMembersBody(chunk));
    }
  }

  async setManager(userId: string, managerId: string | null, options: SetManagerOptions = {}): Promise<void> {
    await this.send('PATCH', itemPath('/Users', userId), 'update', this.dialect.managerBody(managerId, options.previousManagerId, this.baseUrl));
  }

  stats(): TargetStats {
    return this.client.stats();
  }

  /** Writes refused in dry-run mode, as they would have been sent. */
  plannedRequests(): readonly PlannedRequest[] {
    return this.client.plannedRequests();
  }

  close(): Promise<void> {
    return this.client.close();
  }

  // ── internals ──────────────────────────────────────────────────────────

  private send(method: ScimMethod, path: string, intent: RequestIntent, body?: unknown, query?: string): Promise<ScimResponse> {
    return this.client.request({ method, path, intent, body, query });
  }

  private async probe(collection: '/Users' | '/Groups', query: string): Promise<void> {
    const res = await this.send('GET', collection, 'probe', undefined, query);
    const list = this.listResponse(res, collection, query);
    if (list.resources.length > 0 || list.totalResults > 0) {
      throw new StopRunError(
        Codes.incompatibleFiltering,
        `GET ${collection} with a filter on a random GUID returned ${list.totalResults} resources; the endpoint ignores filters (RFC 7644 §3.4.2.2).`,
        { request: { method: 'GET', path: `${collection}?${query}` }, response: { status: res.status, body: truncate(res.text) } },
      );
    }
  }

  private async find(collection: '/Users' | '/Groups', query: string): Promise<TargetObject | undefined> {
    const res = await this.send('GET', collection, 'query', undefined, query);
    const list = this.listResponse(res, collection, query);
    if (list.resources.length === 0) return undefined;
    const ids = list.resources.map((r) => (r && typeof r === 'object' ? (r as ScimResource).id : undefined));
    if (list.resources.length > 1) {
      throw new DuplicateTargetError(`GET ${collection}?${query} matched ${list.resources.length} resources: ${ids.join(', ')}`, ids.filter(isString), {
        request: { method: 'GET', path: `${collection}?${query}` },
        response: { status: res.status, body: truncate(res.text) },
      });
    }
    return this.checkResource(list.resources[0], res, 'GET', `${collection}?${query}`);
  }

  private listResponse(res: ScimResponse, collection: string, query: string): { totalResults: number; resources: unknown[] } {
    const body = res.body as Record<string, unknown> | undefined;
    // RFC 7644 §3.4.2: totalResults is required; Resources is required when
    // totalResults is not 0. Anything else is not a ListResponse.
    const resources = body && typeof body === 'object' ? body.Resources : undefined;
    const totalResults = body && typeof body === 'object' ? body.totalResults : undefined;
    if (
      !body ||
      typeof body !== 'object' ||
      typeof totalResults !== 'number' ||
      (resources !== undefined && !Array.isArray(resources)) ||
      (totalResults > 0 && resources === undefined)
    ) {
      throw new StopRunError(Codes.serviceIncompatible, `GET ${collection}?${query} did not return a SCIM ListResponse (RFC 7644 §3.4.2).`, {
        request: { method: 'GET', path: `${collection}?${query}` },
        response: { status: res.status, body: truncate(res.text) },
      });
    }
    return { totalResults, resources: (resources as unknown[] | undefined) ?? [] };
  }

  private resource(res: ScimResponse, method: string, path: string): TargetObject {
    return this.checkResource(res.body, res, method, path);
  }

  private checkResource(value: unknown, res: ScimResponse, method: string, path: string): TargetObject {
    // A resource without a string id cannot be linked; authentik stops the
    // sync on the same condition (model-codebases.md §2.5).
    if (!value || typeof value !== 'object' || typeof (value as ScimResource).id !== 'string' || (value as ScimResource).id === '') {
      throw new StopRunError(Codes.serviceIncompatible, `${method} ${path} answered ${res.status} without a resource id (RFC 7643 §3.1).`, {
        request: { method, path },
        response: { status: res.status, body: truncate(res.text) },
      });
    }
    return value as TargetObject;
  }
}

function itemPath(collection: '/Users' | '/Groups', id: string): string {
  if (id.length === 0) throw new RejectedTargetError(Codes.badRequest, `Empty ${collection.slice(1, -1)} id`);
  return `${collection}/${encodeURIComponent(id)}`;
}

function withSchemas(resource: ScimResource, core: string): ScimResource {
  return Array.isArray(resource.schemas) && resource.schemas.length > 0 ? resource : { schemas: [core], ...resource };
}

function* chunks<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

const isString = (v: unknown): v is string => typeof v === 'string';

/** Creates a SCIM 2.0 target (see {@link ScimTargetOptions}). */
export function createScimTarget(options: ScimTargetOptions): ScimTarget {
  return new ScimTarget(options);
}
