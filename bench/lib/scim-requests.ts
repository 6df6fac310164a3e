/**
 * The SCIM requests an engine cycle sent, as the benchmark records them,
 * grouped the way the bare client replays them (bench/lib/scim-replay.ts):
 *
 * - a unit is a match query and the create it led to (GET
 *   /Users?filter=userName eq "x", then POST /Users for x), sent one after
 *   the other as the engine sends them, or any other single request;
 * - a phase is a run of consecutive units of one kind (create users, PATCH
 *   users, create groups, PATCH groups). The engine, too, sets managers
 *   only once the users exist and members once the groups exist.
 */

/** One captured request: path includes the query; times in ms since the cycle began. */
export interface RecordedRequest {
  method: string;
  path: string;
  body?: string;
  start?: number;
  end?: number;
}

/** What the replay needs: the requests, and the old target id of each linked object by its unique key. */
export interface Recording {
  requests: RecordedRequest[];
  userIdByName: Record<string, string>;
  groupIdByName: Record<string, string>;
}

export interface Unit {
  kind: string;
  requests: RecordedRequest[];
  /** For creates: the user name / group display name, to map the old id to the new one. */
  key?: { collection: 'Users' | 'Groups'; name: string };
}

export const collectionOf = (path: string): 'Users' | 'Groups' | undefined => {
  const m = /\/(Users|Groups)(?:[/?]|$)/.exec(path);
  return m ? (m[1] as 'Users' | 'Groups') : undefined;
};

export const nameOf = (collection: 'Users' | 'Groups', name: string): string => (collection === 'Users' ? name.toLowerCase() : name);

/** The value of an `attr eq "value"` filter, or undefined. */
function filterValue(path: string): string | undefined {
  const q = path.indexOf('?');
  if (q < 0) return undefined;
  const filter = new URLSearchParams(path.slice(q + 1)).get('filter');
  const m = filter ? /^\w+ eq "((?:[^"\\]|\\.)*)"$/.exec(filter) : null;
  return m ? (JSON.parse(`"${m[1]}"`) as string) : undefined;
}

export function units(requests: readonly RecordedRequest[]): Unit[] {
  const out: Unit[] = [];
  // Match queries waiting for the create they lead to, by collection and name.
  const open = new Map<string, Unit>();
  for (const r of requests) {
    const collection = collectionOf(r.path);
    if (r.method === 'GET' && collection) {
      const value = filterValue(r.path);
      if (value !== undefined) {
        const unit: Unit = { kind: `query ${collection}`, requests: [r], key: { collection, name: nameOf(collection, value) } };
        open.set(`${collection} ${unit.key!.name}`, unit);
        out.push(unit);
        continue;
      }
    }
    if (r.method === 'POST' && collection && r.body) {
      const body = JSON.parse(r.body) as { userName?: string; displayName?: string };
      const name = nameOf(collection, String((collection === 'Users' ? body.userName : body.displayName) ?? ''));
      const query = open.get(`${collection} ${name}`);
      if (query) {
        open.delete(`${collection} ${name}`);
        query.requests.push(r);
        query.kind = `create ${collection}`;
        continue;
      }
      out.push({ kind: `create ${collection}`, requests: [r], key: { collection, name } });
      continue;
    }
    out.push({ kind: `${r.method} ${collection ?? r.path}`, requests: [r] });
  }
  return out;
}

export function phases(all: readonly Unit[]): Unit[][] {
  const out: Unit[][] = [];
  for (const u of all) {
    const last = out[out.length - 1];
    if (last && last[0]!.kind === u.kind) last.push(u);
    else out.push([u]);
  }
  return out;
}

/** "kind×units seconds (from–to)" of each phase, from the recorded start and end times (seconds since the cycle began). */
export function phaseTimes(recording: Recording): string[] {
  return phases(units(recording.requests)).map((p) => {
    const reqs = p.flatMap((u) => u.requests);
    const start = Math.min(...reqs.map((r) => r.start ?? 0));
    const end = Math.max(...reqs.map((r) => r.end ?? r.start ?? 0));
    return `${p[0]!.kind}×${p.length} ${((end - start) / 1000).toFixed(1)}s (${(start / 1000).toFixed(1)}–${(end / 1000).toFixed(1)})`;
  });
}
