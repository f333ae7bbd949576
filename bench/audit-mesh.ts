import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BenchMesh, echoCall, startBenchMesh } from './mesh-call.js';
import { IN_FLIGHT, measureThroughput, percentile, warmUp } from './runner/index.js';

export interface AuditMeshOptions {
  /** nats-server to measure against (JetStream on). */
  url: string;
  /** Calls per measured round. */
  iterations: number;
}

const ROUNDS = 2;
/**
 * Calls in flight, as for every `_rps` figure. A call waits for one group-committed sync before it
 * runs; with 64 calls waiting, each sync carries many records. (256 would hide the sync better, but
 * on a loaded 2-core host the node's placement lease then lapses and calls are refused.)
 */
const AUDIT_IN_FLIGHT = IN_FLIGHT;
const SYNC_PROBES = 20;

/**
 * What the audit costs a busy mesh: the `mesh_call` workload (echo through agent, session actor,
 * broker and stdio server) on a mesh whose node records every call durably (decision record synced by
 * group commit before the broker runs it, result record after) and on one that runs calls unaudited.
 * One mesh at a time (two nodes would share the session registry), off and on alternating so both
 * meet the same machine load; each figure is the best of its rounds, the one least disturbed by other
 * work on the host. `audit_fdatasync_ms` is what one 1 KiB append + fdatasync takes on the same file
 * system in the same run: the cost the audit hides behind concurrency.
 */
export async function benchAuditMesh(options: AuditMeshOptions): Promise<Record<string, number>> {
  const rounds = { off: [] as number[], on: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    rounds.off.push(await throughput(options, false));
    rounds.on.push(await throughput(options, true));
  }
  return {
    audit_on_rps: Math.max(...rounds.on),
    audit_off_rps: Math.max(...rounds.off),
    audit_fdatasync_ms: await fdatasyncMs(),
  };
}

async function throughput(options: AuditMeshOptions, audit: boolean): Promise<number> {
  const mesh: BenchMesh = await startBenchMesh(options.url, { audit });
  try {
    await warmUp(() => echoCall(mesh), Math.max(50, Math.ceil(options.iterations / 10)));
    return await measureThroughput(() => echoCall(mesh), {
      inFlight: AUDIT_IN_FLIGHT,
      operations: options.iterations,
    });
  } finally {
    await mesh.stop();
  }
}

/** p50 of sequential 1 KiB appends, each followed by fdatasync, in the temp directory the logs use. */
async function fdatasyncMs(): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'trustmesh-bench-sync-'));
  const file = await open(join(dir, 'probe'), 'a');
  const line = Buffer.alloc(1024, 'a');
  const durations: number[] = [];
  try {
    for (let i = 0; i < SYNC_PROBES; i++) {
      const start = process.hrtime.bigint();
      await file.write(line);
      await file.datasync();
      durations.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
  } finally {
    await file.close();
    await rm(dir, { recursive: true, force: true });
  }
  return percentile(
    durations.sort((a, b) => a - b),
    50,
  );
}
