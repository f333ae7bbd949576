import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ConnectionOptions, connect } from '@nats-io/transport-node';
import { issueLocalMeshTls } from '../src/cli/mesh-tls.js';
import { startNatsServer } from '../src/natsd/index.js';
import { issueLeafCertificate, loadPki, natsClientTlsFiles, renderNatsTlsBlock } from '../src/pki/index.js';
import { measureLatency, warmUp } from './runner/measure.js';
import type { BenchSizes } from './runner/options.js';
import { ECHO_TEXT } from './runner/payload.js';
import { measureRoundTrip, prefixFigures } from './runner/round-trip.js';

const SUBJECT = 'bench.tls';
const CONNECTS = 100;

/**
 * What mutual TLS costs the local mesh (`trustmesh up`'s Ed25519 PKI): request/reply over a
 * mutual-TLS nats-server, a full connect (TCP, TLS handshake both ways, CONNECT/PONG), and issuing
 * one agent leaf (what `session create` adds); each beside the same on a plain server in this run.
 */
export async function benchTls(sizes: BenchSizes): Promise<Record<string, number>> {
  const dir = await mkdtemp(join(tmpdir(), 'trustmesh-bench-tls-'));
  const tls = await issueLocalMeshTls(dir, 'bench', 3_600_000);
  const plain = await startNatsServer({ dir: join(dir, 'plain'), jetstream: false });
  const secure = await startNatsServer({
    dir: join(dir, 'tls'),
    jetstream: false,
    extraConfig: renderNatsTlsBlock({ ...tls.server, verify: true }),
  });
  try {
    const ca = await loadPki(join(dir, 'pki'));
    const mtls = { tls: natsClientTlsFiles(tls.node) };
    return {
      ...prefixFigures('tls_plain_rr', await roundTrip({ servers: plain.url }, sizes)),
      ...prefixFigures('tls_rr', await roundTrip({ servers: secure.url, ...mtls }, sizes)),
      tls_plain_connect_us: await connectLatency({ servers: plain.url }),
      tls_connect_us: await connectLatency({ servers: secure.url, ...mtls }),
      tls_agent_leaf_issue_us: (
        await timed(() =>
          issueLeafCertificate(ca.intermediate, { kind: 'agent', name: 'bench', algorithm: 'ed25519' }),
        )
      ).p50_us,
    };
  } finally {
    await Promise.all([plain.stop(), secure.stop()]);
    await rm(dir, { recursive: true, force: true });
  }
}

async function roundTrip(options: ConnectionOptions, sizes: BenchSizes) {
  const responder = await connect(options);
  const requester = await connect(options);
  try {
    responder.subscribe(SUBJECT, {
      callback: (_err, msg) => {
        msg.respond(msg.data);
      },
    });
    await responder.flush();
    const payload = new TextEncoder().encode(ECHO_TEXT);
    return await measureRoundTrip(() => requester.request(SUBJECT, payload, { timeout: 10_000 }), sizes);
  } finally {
    await Promise.all([requester.close(), responder.close()]);
  }
}

/** p50 of connect → first PONG → close, one connection at a time. */
async function connectLatency(options: ConnectionOptions): Promise<number> {
  return (
    await timed(async () => {
      const nc = await connect(options);
      await nc.close();
    })
  ).p50_us;
}

async function timed(op: () => Promise<unknown>) {
  await warmUp(op, 10);
  return measureLatency(op, { iterations: CONNECTS });
}
