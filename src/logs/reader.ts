/**
 * Reads provisioning-log entries for the Graph route: one entry by id, or a
 * page in activityDateTime order, filtered in SQL, resumed by keyset (the
 * last row's time and id), so that paging never skips or repeats an entry
 * while new ones are written.
 */
import type { Store } from '../store/store.ts';
import type { ProvisioningObjectSummary } from './model.ts';
import type { Predicate } from './filter.ts';
import { compileFilter } from './filter.ts';

/** Where the next page starts: the last row served (its sort key and id). */
export interface LogCursor {
  /** activity_date_time sort key of the last row. */
  t: string;
  /** id of the last row. */
  id: string;
}

/** What `list` returns a page of. */
export interface LogListQuery {
  /** A checked filter (see `prepareFilter`). */
  filter?: Predicate;
  /** Page size, ≥ 1. */
  top: number;
  /** activityDateTime order; ties broken by id in the same direction. Default `desc` (newest first). */
  order?: 'asc' | 'desc';
  /** Continue after this row (from the previous page's `next`). */
  after?: LogCursor;
}

/** One page of entries. */
export interface LogPage {
  items: ProvisioningObjectSummary[];
  /** Present when more entries match. */
  next?: LogCursor;
}

/** Reads entries for the Graph route (and, later, the console). */
export class ProvisioningLogReader {
  constructor(private readonly store: Store) {}

  /** One entry by id, or undefined. */
  async get(id: string): Promise<ProvisioningObjectSummary | undefined> {
    const row = await this.store.db.selectFrom('provisioning_logs').select('data').where('id', '=', id).executeTakeFirst();
    return row ? (JSON.parse(row.data) as ProvisioningObjectSummary) : undefined;
  }

  /** A page of entries matching the filter, in order. */
  async list(q: LogListQuery): Promise<LogPage> {
    const order = q.order ?? 'desc';
    let query = this.store.db.selectFrom('provisioning_logs').select(['id', 'activity_date_time', 'data']);
    if (q.filter) query = query.where(compileFilter(q.filter, this.store.dialect));
    const after = q.after;
    if (after) {
      // A row-value comparison: both databases turn it into one index range.
      query = query.where((eb) => eb(eb.refTuple('activity_date_time', 'id'), order === 'desc' ? '<' : '>', eb.tuple(after.t, after.id)));
    }
    const rows = await query.orderBy('activity_date_time', order).orderBy('id', order).limit(q.top + 1).execute();
    const more = rows.length > q.top;
    const page = more ? rows.slice(0, q.top) : rows;
    const last = page[page.length - 1];
    return {
      items: page.map((r) => JSON.parse(r.data) as ProvisioningObjectSummary),
      ...(more && last ? { next: { t: last.activity_date_time, id: last.id } } : {}),
    };
  }
}
