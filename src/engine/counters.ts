/** What one cycle counted, reported as Graph's synchronizationTaskExecution counts. */
export class CycleCounters {
  imported = 0;
  importedDeltas = 0;
  importedReferenceDeltas = 0;
  entitled = 0;
  exports = 0;
  exported = 0;
  escrowed = 0;
  redundant = 0;
  created = 0;
  updated = 0;
  disabled = 0;
  deleted = 0;
  /** Writes sent to the target (creates, patches, deletes, member and manager changes). */
  writes = 0;
  /** Objects (or references) tried again within the cycle after a transient failure. */
  retried = 0;
  /** Escrows whose next attempt was due and that were tried again. */
  escrowRetries = 0;

  /** Adds another count set (a partition's, as JSON) to this one. */
  add(other: Readonly<Record<string, number>>): void {
    const self = this as unknown as Record<string, number>;
    for (const [k, v] of Object.entries(other)) if (typeof self[k] === 'number' && typeof v === 'number') self[k] += v;
  }

  toJSON(): Record<string, number> {
    return { ...(this as unknown as Record<string, number>) };
  }
}
