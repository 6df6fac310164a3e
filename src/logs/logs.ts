/**
 * The provisioning-log service as the rest of Provisio sees it: the writer
 * (the engine), the reader (the Graph route, the console), retention, and
 * the optional throttle of the Graph route.
 */
import type { Logger } from 'pino';
import type { Store } from '../store/store.ts';
import type { Clock } from '../util/time.ts';
import { ProvisioningLogWriter } from './writer.ts';
import { ProvisioningLogReader } from './reader.ts';
import { ProvisioningLogRetention } from './retention.ts';
import { SlidingWindowLimiter } from './rate-limit.ts';
import type { RateLimit } from './rate-limit.ts';

/** `services.logs`. */
export interface ProvisioningLogs {
  writer: ProvisioningLogWriter;
  reader: ProvisioningLogReader;
  retention: ProvisioningLogRetention;
  /** Throttle of GET /auditLogs/provisioning per client; undefined when off (the default). */
  limiter: SlidingWindowLimiter | undefined;
}

/** What `createProvisioningLogs` needs besides the store. */
export interface ProvisioningLogsOptions {
  tenantId: string;
  /** Days entries are kept; 0 keeps them forever. */
  retentionDays: number;
  rateLimit: RateLimit | undefined;
  clock: Clock;
  logger?: Logger;
}

/** Wires the provisioning-log parts over one store. */
export function createProvisioningLogs(store: Store, o: ProvisioningLogsOptions): ProvisioningLogs {
  const writer = new ProvisioningLogWriter(store, { tenantId: o.tenantId });
  return {
    writer,
    reader: new ProvisioningLogReader(store),
    retention: new ProvisioningLogRetention(writer, o.retentionDays, o.clock, o.logger),
    limiter: o.rateLimit ? new SlidingWindowLimiter(o.rateLimit, o.clock) : undefined,
  };
}
