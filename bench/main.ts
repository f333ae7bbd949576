import { benchAudit } from './audit.js';
import { benchAuditMesh } from './audit-mesh.js';
import { benchMcpHttp } from './baselines/mcp-http.js';
import { benchNatsChain } from './baselines/nats-chain.js';
import { benchNatsRr } from './baselines/nats-rr.js';
import { benchCedar } from './cedar.js';
import { benchEnvelope } from './envelope.js';
import { benchFailover } from './failover.js';
import { benchMcpNats } from './mcp-nats.js';
import { benchMeshCall } from './mesh-call.js';
import { benchMonitor } from './monitor.js';
import { benchPolicy } from './policy.js';
import { benchPolicyReload } from './policy-reload.js';
import type { BenchGroup } from './runner/index.js';
import { benchMain, prefixFigures } from './runner/index.js';
import { benchSessionCreate } from './session-create.js';
import { benchTls } from './tls.js';
import { benchTokens } from './tokens.js';
import { benchTracing } from './tracing.js';

/**
 * Every bench group, in the order they always run: each NATS subject follows its raw NATS baseline
 * (one hop for MCP over NATS, the same hops as a mesh call for the call path) and both come before
 * the Streamable HTTP baseline, so every run meets the same process state.
 */
const GROUPS: readonly BenchGroup[] = [
  {
    name: 'nats',
    description: 'baseline: raw NATS request/reply, one hop, echo responder',
    run: async ({ natsUrl, sizes }) =>
      prefixFigures('nats_rr', await benchNatsRr({ url: await natsUrl(), ...sizes })),
  },
  {
    name: 'mcp-nats',
    description: 'MCP tools/call of the echo tool over the NATS transport (sealed envelopes)',
    run: async ({ natsUrl, sizes }) =>
      prefixFigures('mcp_nats', await benchMcpNats({ url: await natsUrl(), ...sizes })),
  },
  {
    name: 'nats-chain',
    description: 'baseline: the hops of a mesh call as raw NATS request/reply, no-op handlers, stdio echo',
    run: async ({ natsUrl, sizes }) =>
      prefixFigures('nats_chain', await benchNatsChain({ url: await natsUrl(), ...sizes })),
  },
  {
    name: 'mesh-call',
    description: 'MCP tools/call of the echo tool through agent, session actor, broker and stdio server',
    run: async ({ natsUrl, sizes }) =>
      prefixFigures('mesh_call', await benchMeshCall({ url: await natsUrl(), ...sizes })),
  },
  {
    name: 'tracing',
    description:
      'the mesh-call workload without and with the OpenTelemetry SDK exporting every span over OTLP',
    run: async ({ natsUrl, sizes }) => {
      const { off, on } = await benchTracing({ url: await natsUrl(), ...sizes });
      return { ...prefixFigures('tracing_off', off), ...prefixFigures('tracing_on', on) };
    },
  },
  {
    name: 'http',
    description: 'baseline: MCP tools/call of the echo tool over Streamable HTTP (stateful session)',
    run: async ({ sizes }) => prefixFigures('mcp_http', await benchMcpHttp(sizes)),
  },
  {
    name: 'envelope',
    description: 'envelope seal + open per message (HMAC channel, Ed25519, P-256)',
    run: () => benchEnvelope(),
  },
  {
    name: 'policy',
    description: 'policy decisions over a review session, without and with Cedar conditions',
    run: () => benchPolicy(),
  },
  {
    name: 'policy-reload',
    description: 'policy push until two nodes applied it, beside a plain KV put seen by two watchers',
    run: async ({ natsUrl, sizes }) =>
      benchPolicyReload({
        url: await natsUrl(),
        rounds: Math.max(10, Math.min(50, Math.ceil(sizes.iterations / 100))),
      }),
  },
  {
    name: 'cedar',
    description: 'Cedar condition evaluation (informational)',
    run: () => benchCedar(),
  },
  {
    name: 'tls',
    description: 'mutual TLS (Ed25519): request/reply, connect and agent leaf issue, beside a plain server',
    run: ({ sizes }) => benchTls(sizes),
  },
  {
    name: 'tokens',
    description: 'session token verification, cached and cold',
    run: () => benchTokens(),
  },
  {
    name: 'session-create',
    description: 'full session credentials per second (agent key, token, NATS user and creds)',
    run: () => benchSessionCreate(),
  },
  {
    name: 'monitor',
    description: 'behaviour monitor update (assess + observe) per call',
    run: () => benchMonitor(),
  },
  {
    name: 'audit',
    description: 'durable audit appends with group commit (64 concurrent appenders)',
    run: () => benchAudit(),
  },
  {
    name: 'failover',
    description:
      "placement: a dead host's session serving again, suspend reaching the host, idle sessions per GiB",
    run: async ({ natsUrl }) => benchFailover({ url: await natsUrl() }),
  },
  {
    name: 'audit-mesh',
    description: 'mesh_call throughput with the audit log on and off (alternating rounds, 64 in flight)',
    run: async ({ natsUrl, sizes }) => benchAuditMesh({ url: await natsUrl(), iterations: sizes.iterations }),
  },
];

process.exitCode = await benchMain(process.argv.slice(2), GROUPS);
