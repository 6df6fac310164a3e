/**
 * scimmy's process-wide registration, done once.
 *
 * scimmy keeps resource declarations, storage handlers (ingress / egress /
 * degress), the ServiceProviderConfig and each resource's base path as
 * static, process-global state (model-codebases.md §4 warns about exactly
 * this). Two differently-configured sample apps therefore cannot each
 * register their own handlers. The way around it: the handlers registered
 * here are the same for every app and hold no data; they find the app's
 * {@link SampleStore} in the per-request *context* that scimmy-routers
 * passes through to every handler (the router's `context(req)` callback).
 * Every app mounts at the same path (`/scim/v2`), so the base path scimmy
 * sets globally on each request is the same for all of them, and each app
 * turns the relative `meta.location` into an absolute URL itself.
 *
 * What stays global, and so identical for all apps in a process: the User
 * resource with the enterprise extension (optional), the Group resource, and
 * the ServiceProviderConfig scimmy-routers writes (patch, filter, sort and
 * bulk on; bearer authentication).
 */
import SCIMMY from 'scimmy';
import { SampleStoreError } from './store.ts';
import type { SampleRecord, SampleStore } from './store.ts';

/** What each app's router passes to the handlers. */
export interface SampleContext {
  store: SampleStore;
}

/** The parts of a scimmy resource instance the handlers read. */
interface ResourceRequest {
  id?: string;
  filter?: unknown;
  attributes?: unknown;
}

let registered = false;

function storeOf(ctx: unknown): SampleStore {
  const store = (ctx as Partial<SampleContext> | undefined)?.store;
  // Without a store the request came through a router not built by startSampleScimApp.
  if (!store) throw new SCIMMY.Types.Error(500, '', 'sample app: no store in request context');
  return store;
}

function toScimError(err: unknown): never {
  if (err instanceof SampleStoreError) throw new SCIMMY.Types.Error(err.status, err.scimType ?? '', err.message);
  throw err;
}

/**
 * The `eq` lookup a filter asks for when it is a single `attr eq "value"`
 * clause (scimmy parses `userName eq "a"` to `[{ userName: ["eq", "a"] }]`).
 */
function singleEq(filter: unknown): { attribute: string; value: unknown } | undefined {
  if (!Array.isArray(filter) || filter.length !== 1) return undefined;
  const expr = filter[0] as Record<string, unknown>;
  const keys = Object.keys(expr);
  if (keys.length !== 1) return undefined;
  const attribute = keys[0] as string;
  const cond = expr[attribute];
  if (!Array.isArray(cond) || cond.length !== 2 || String(cond[0]).toLowerCase() !== 'eq') return undefined;
  return { attribute, value: cond[1] };
}

function matching(collection: { lookup(a: string, v: unknown): SampleRecord[] | undefined; byId: Map<string, SampleRecord> }, filter: unknown): SampleRecord[] {
  const eq = singleEq(filter);
  const hit = eq ? collection.lookup(eq.attribute, eq.value) : undefined;
  if (hit) return hit;
  const all = [...collection.byId.values()];
  if (!filter) return all;
  // Anything else: scimmy's own filter evaluation over every record (a scan).
  const f = filter as InstanceType<typeof SCIMMY.Types.Filter>;
  try {
    return f.match(all);
  } catch {
    // scimmy 1.3 throws on a nested attribute that some records lack (e.g.
    // `name.givenName eq "x"` with a user that has no name); such a record
    // simply does not match.
    return all.filter((r) => {
      try {
        return f.match([r]).length > 0;
      } catch {
        return false;
      }
    });
  }
}

/** True when `excludedAttributes` drops `members` (scimmy: `[{ members: ["np"] }]`). */
function excludesMembers(attributes: unknown): boolean {
  return (
    Array.isArray(attributes) &&
    attributes.some((e) => {
      const members = (e as Record<string, unknown> | undefined)?.members;
      return Array.isArray(members) && members[0] === 'np';
    })
  );
}

const plain = (instance: unknown): Record<string, unknown> => JSON.parse(JSON.stringify(instance)) as Record<string, unknown>;

/** Declares the resources and registers the store-dispatching handlers, once per process. */
export function registerScimmy(): void {
  if (registered) return;
  registered = true;

  if (!SCIMMY.Resources.declared(SCIMMY.Resources.User)) {
    SCIMMY.Resources.declare(SCIMMY.Resources.User.extend(SCIMMY.Schemas.EnterpriseUser, false));
  }
  if (!SCIMMY.Resources.declared(SCIMMY.Resources.Group)) SCIMMY.Resources.declare(SCIMMY.Resources.Group);

  const userIngress = (res: ResourceRequest, instance: unknown, ctx: unknown): SampleRecord => {
    try {
      return storeOf(ctx).putUser(res.id, plain(instance));
    } catch (err) {
      return toScimError(err);
    }
  };
  const userEgress = (res: ResourceRequest, ctx: unknown): SampleRecord | SampleRecord[] => {
    const store = storeOf(ctx);
    try {
      return res.id !== undefined ? store.users.get(res.id) : matching(store.users, res.filter);
    } catch (err) {
      return toScimError(err);
    }
  };
  const userDegress = (res: ResourceRequest, ctx: unknown): void => {
    try {
      storeOf(ctx).deleteUser(res.id as string);
    } catch (err) {
      toScimError(err);
    }
  };
  const groupIngress = (res: ResourceRequest, instance: unknown, ctx: unknown): SampleRecord => {
    try {
      return storeOf(ctx).putGroup(res.id, plain(instance));
    } catch (err) {
      return toScimError(err);
    }
  };
  const groupEgress = (res: ResourceRequest, ctx: unknown): SampleRecord | SampleRecord[] => {
    const store = storeOf(ctx);
    try {
      const found = res.id !== undefined ? store.groups.get(res.id) : matching(store.groups, res.filter);
      if (!excludesMembers(res.attributes)) return found;
      // Entra reads groups with excludedAttributes=members (§6.5): skip
      // handing scimmy member lists it would only coerce and then drop.
      const strip = ({ members: _members, ...rest }: SampleRecord): SampleRecord => rest as SampleRecord;
      return Array.isArray(found) ? found.map(strip) : strip(found);
    } catch (err) {
      return toScimError(err);
    }
  };
  const groupDegress = (res: ResourceRequest, ctx: unknown): void => {
    try {
      storeOf(ctx).deleteGroup(res.id as string);
    } catch (err) {
      toScimError(err);
    }
  };

  // scimmy's handler types are generic over its schema classes; ours return plain records, which is what it expects at run time.
  SCIMMY.Resources.User.ingress(userIngress as never).egress(userEgress as never).degress(userDegress as never);
  SCIMMY.Resources.Group.ingress(groupIngress as never).egress(groupEgress as never).degress(groupDegress as never);
}
