import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { context, metrics, propagation, trace } from '@opentelemetry/api';
import { startTelemetry } from '../src/telemetry/index.js';
import { benchMeshCall, type MeshCallOptions } from './mesh-call.js';
import type { RoundTripFigures } from './runner/round-trip.js';

// Off, on, on, off: a drift in the machine's load over the group weighs on both sides alike.
const ROUNDS = [false, true, true, false] as const;

/**
 * Subject and baseline in one: the `mesh_call` workload with no SDK (`tracing_off`) and with the SDK
 * every process starts when OTEL_* configure it (`tracing_on`): every call sampled, spans through the
 * real BatchSpanProcessor and OTLP/HTTP protobuf exporter, metrics through the OTLP metric exporter,
 * all to a local receiver that reads and discards what it gets. Agent, node and broker share this
 * process, so the one SDK pays for every hop's spans. Each side is the mean of two rounds.
 */
export async function benchTracing(
  options: MeshCallOptions,
): Promise<{ off: RoundTripFigures; on: RoundTripFigures }> {
  const runs: Record<'off' | 'on', RoundTripFigures[]> = { off: [], on: [] };
  for (const traced of ROUNDS) {
    if (traced) runs.on.push(await withSdk(() => benchMeshCall(options)));
    else runs.off.push(await benchMeshCall(options));
  }
  return { off: mean(runs.off), on: mean(runs.on) };
}

/** Runs `work` with the NodeSDK exporting to a discard receiver, then leaves the process untraced. */
async function withSdk<T>(work: () => Promise<T>): Promise<T> {
  const receiver = await startDiscardReceiver();
  const saved = { ...process.env };
  Object.assign(process.env, {
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    OTEL_TRACES_SAMPLER: 'always_on',
  });
  const telemetry = await startTelemetry({ serviceName: 'trustmesh-bench' });
  try {
    if (!telemetry.enabled) throw new Error('the OpenTelemetry SDK did not start; check OTEL_SDK_DISABLED.');
    const result = await work();
    await telemetry.shutdown();
    if (receiver.exports() === 0) throw new Error('tracing was on but nothing reached the OTLP receiver.');
    return result;
  } finally {
    await telemetry.shutdown();
    trace.disable();
    metrics.disable();
    propagation.disable();
    context.disable();
    process.env = saved;
    await receiver.close();
  }
}

function mean(runs: readonly RoundTripFigures[]): RoundTripFigures {
  const average = (pick: (f: RoundTripFigures) => number) =>
    runs.reduce((sum, figures) => sum + pick(figures), 0) / runs.length;
  return { p50_us: average((f) => f.p50_us), p99_us: average((f) => f.p99_us), rps: average((f) => f.rps) };
}

/** An OTLP/HTTP endpoint that reads every export and answers 200 with nothing kept. */
async function startDiscardReceiver(): Promise<{
  endpoint: string;
  exports(): number;
  close(): Promise<void>;
}> {
  let exports = 0;
  const server = createServer((req, res) => {
    exports += 1;
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    exports: () => exports,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
