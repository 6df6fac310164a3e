/**
 * Leak check for tests that open sockets and timers: after everything is
 * closed, the process must hold no more timers, sockets or servers than it
 * did before the tests began (ARCHITECTURE.md "Habits": a check that no
 * timer or connection leaks). Closing is partly asynchronous (sockets finish
 * closing on a later tick), so the check waits a little for the count to
 * drop before failing.
 */
import assert from 'node:assert/strict';

const WATCHED = new Set(['Timeout', 'TCPSocketWrap', 'TCPServerWrap', 'TCPWrap', 'Immediate']);

/** Counts of the watched resource kinds now active. */
export function activeHandles(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) if (WATCHED.has(kind)) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

/**
 * Fails unless, within `waitMs`, no watched kind is more numerous than in
 * `baseline` (taken with {@link activeHandles} before the tests).
 */
export async function assertNoLeaks(baseline: Record<string, number>, waitMs = 1000): Promise<void> {
  const deadline = Date.now() + waitMs;
  let extra: Record<string, number> = {};
  for (;;) {
    extra = {};
    for (const [kind, n] of Object.entries(activeHandles())) {
      const over = n - (baseline[kind] ?? 0);
      if (over > 0) extra[kind] = over;
    }
    if (Object.keys(extra).length === 0 || Date.now() > deadline) break;
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setTimeout(r, 10).unref());
  }
  assert.deepEqual(extra, {}, `leaked handles: ${JSON.stringify(extra)}`);
}
