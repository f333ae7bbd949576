import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLog, Auditor, type CallAudit } from '../src/audit/index.js';
import { rate, summariseLatency } from './runner/index.js';

const APPENDERS = 64;
const OPERATIONS = 20_000;
const WARM_UP = 2_000;
const MAX_DURATION_MS = 10_000;

function call(appender: number, n: number): CallAudit {
  return {
    session: `bench-session-${appender}`,
    call: `${appender}-${n}`,
    principal: 'bench@example.com',
    purpose: 'code-review',
    tool: 'filesystem.read_file',
    arguments: { path: `src/module-${n % 50}/file.ts`, encoding: 'utf8' },
    decision: 'allow',
    reason: 'granted by filesystem.read_file',
    rule: 'code-review/filesystem.read_file',
    policyVersion: 'v1',
    state: 'active',
    bytesIn: 180,
    bytesOut: 0,
    latencyMs: 0,
    outcome: 'unknown',
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  };
}

/**
 * Durable audit appends through `Auditor.record` (redaction, chaining, one group-committed write and
 * fdatasync per batch) with 64 appenders each waiting for its record before the next, as 64
 * concurrent calls would. `audit_append_us` is the p50 from call to durable; `audit_append_rps` the
 * records made durable per second; `audit_batch_records` how many records one sync carried.
 */
export async function benchAudit(): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'tm-bench-audit-'));
  try {
    const log = await AuditLog.open({ dir });
    const auditor = new Auditor({ log });
    await run(auditor, WARM_UP);
    const before = log.stats();
    const { durations, elapsedNs } = await run(auditor, OPERATIONS);
    const after = log.stats();
    await log.close();
    return {
      audit_append_us: summariseLatency(durations).p50_us,
      audit_append_rps: rate(durations.length, elapsedNs),
      audit_batch_records: (after.appends - before.appends) / Math.max(1, after.syncs - before.syncs),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function run(
  auditor: Auditor,
  operations: number,
): Promise<{ durations: Float64Array; elapsedNs: number }> {
  const durations = new Float64Array(operations);
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(MAX_DURATION_MS) * 1_000_000n;
  let issued = 0;
  let done = 0;
  const appender = async (id: number) => {
    while (issued < operations && process.hrtime.bigint() < deadline) {
      const n = issued++;
      const t0 = process.hrtime.bigint();
      await auditor.record(call(id, n));
      durations[done++] = Number(process.hrtime.bigint() - t0);
    }
  };
  await Promise.all(Array.from({ length: APPENDERS }, (_, id) => appender(id)));
  return { durations: durations.subarray(0, done), elapsedNs: Number(process.hrtime.bigint() - start) };
}
