/**
 * OAuth clients (the apps that call Provisio's API) and the bootstrap
 * administrator of the interface contract.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '../store/store.ts';
import { hashSecret, newClientSecret, verifySecret } from '../util/crypto.ts';
import { ALL_PERMISSIONS } from './permissions.ts';
import type { Clock } from '../util/time.ts';

export interface ClientRecord {
  clientId: string;
  displayName: string;
  roles: string[];
}

export class ClientRepository {
  constructor(private readonly db: Db, private readonly clock: Clock) {}

  async create(opts: { clientId?: string; secret?: string; displayName: string; roles: string[] }): Promise<{ clientId: string; secret: string }> {
    const clientId = opts.clientId ?? randomUUID();
    const secret = opts.secret ?? newClientSecret();
    await this.db
      .insertInto('clients')
      .values({
        client_id: clientId,
        secret_hash: await hashSecret(secret),
        display_name: opts.displayName,
        roles: JSON.stringify(opts.roles),
        created_at: this.clock.now().toISOString(),
      })
      .execute();
    return { clientId, secret };
  }

  async get(clientId: string): Promise<ClientRecord | undefined> {
    const row = await this.db.selectFrom('clients').selectAll().where('client_id', '=', clientId).executeTakeFirst();
    return row && { clientId: row.client_id, displayName: row.display_name, roles: JSON.parse(row.roles) as string[] };
  }

  /** Checks a client's secret; undefined when the client is unknown or the secret wrong. */
  async authenticate(clientId: string, secret: string): Promise<ClientRecord | undefined> {
    const row = await this.db.selectFrom('clients').selectAll().where('client_id', '=', clientId).executeTakeFirst();
    if (!row || !(await verifySecret(secret, row.secret_hash))) return undefined;
    return { clientId: row.client_id, displayName: row.display_name, roles: JSON.parse(row.roles) as string[] };
  }

  async count(): Promise<number> {
    const r = await this.db.selectFrom('clients').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /** Creates the client or resets its secret and roles. */
  async upsert(clientId: string, secret: string, displayName: string, roles: string[]): Promise<void> {
    let existing = await this.db.selectFrom('clients').select(['secret_hash']).where('client_id', '=', clientId).executeTakeFirst();
    if (!existing) {
      // Several processes sharing one database start at once: the first insert wins, the others update.
      const r = await this.db.insertInto('clients').values({
        client_id: clientId, secret_hash: await hashSecret(secret), display_name: displayName, roles: JSON.stringify(roles), created_at: this.clock.now().toISOString(),
      }).onConflict((oc) => oc.column('client_id').doNothing()).executeTakeFirst();
      if (Number(r.numInsertedOrUpdatedRows ?? 0) === 1) return;
      existing = await this.db.selectFrom('clients').select(['secret_hash']).where('client_id', '=', clientId).executeTakeFirstOrThrow();
    }
    const same = await verifySecret(secret, existing.secret_hash);
    await this.db
      .updateTable('clients')
      .set({ roles: JSON.stringify(roles), display_name: displayName, ...(same ? {} : { secret_hash: await hashSecret(secret) }) })
      .where('client_id', '=', clientId)
      .execute();
  }
}

export const BOOTSTRAP_FILE = 'bootstrap-credentials.json';

/**
 * Ensures an administrator exists. With PROVISIO_BOOTSTRAP_CLIENT_ID/SECRET
 * that client is created or kept (its secret and roles reset to the given
 * ones). Without them a first start generates one and writes it to the
 * data folder, readable by the owner alone; later starts reuse the file.
 */
export async function ensureBootstrapClient(
  clients: ClientRepository,
  opts: { clientId?: string; clientSecret?: string; dataDir: string },
): Promise<{ clientId: string; clientSecret: string; file?: string }> {
  const roles = [...ALL_PERMISSIONS];
  if (opts.clientId && opts.clientSecret) {
    await clients.upsert(opts.clientId, opts.clientSecret, 'Provisio bootstrap administrator', roles);
    return { clientId: opts.clientId, clientSecret: opts.clientSecret };
  }
  const file = join(opts.dataDir, BOOTSTRAP_FILE);
  if (existsSync(file)) {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { clientId: string; clientSecret: string };
    await clients.upsert(saved.clientId, saved.clientSecret, 'Provisio bootstrap administrator', roles);
    return { ...saved, file };
  }
  const created = await clients.create({ displayName: 'Provisio bootstrap administrator', roles });
  mkdirSync(opts.dataDir, { recursive: true });
  writeFileSync(file, JSON.stringify({ clientId: created.clientId, clientSecret: created.secret }, null, 2) + '\n', { mode: 0o600 });
  return { clientId: created.clientId, clientSecret: created.secret, file };
}
