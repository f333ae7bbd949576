import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadNodeState } from '../../../src/actors/node/index.js';
import { stopChild } from '../../../src/cli/child.js';
import { POLICY, until } from '../../integration/actors/session/mesh-fixture.js';
import { issueSigningLeaves } from '../../support/mesh-pki.js';
import { startNats } from '../../support/nats-harness.js';
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from '../../support/otlp-receiver.js';

const ROOT = join(import.meta.dirname, '../../..');
const CLI = ['--import', 'tsx', join(ROOT, 'src/cli/run.ts')];
const TRACED_SERVER = join(ROOT, 'test/fixtures/mcp/traced-main.ts');
const TOOL = 'github.get_pull_request';
// Each step starts a CLI process (tsx); on a shared two-core machine that alone takes seconds.
const E2E_MS = 180_000;
const SPAN_KIND = { server: 2, client: 3 } as const;

describe('OpenTelemetry across the mesh: real node, broker, bridge and MCP server processes', () => {
  let receiver: OtlpReceiver;
  let dir: string;
  let natsUrl: string;
  let env: NodeJS.ProcessEnv;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    // Only the standard variables: the processes start their SDK because these configure it.
    env = {
      ...process.env,
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '50',
      OTEL_METRIC_EXPORT_INTERVAL: '500',
    };
    natsUrl = (await startNats()).url;
    dir = await mkdtemp(join(tmpdir(), 'trustmesh-otel-'));
    await writeFile(join(dir, 'policy.yaml'), POLICY);
    await loadNodeState(dir);
    // The node and broker leaves `trustmesh up` issues: they sign capabilities and answers.
    await issueSigningLeaves(dir, ['github']);
    const mesh = ['--nats', natsUrl, '--dir', dir];
    children.push(
      await startReady([
        'broker',
        'run',
        ...mesh,
        '--server',
        'github',
        '--allow-command',
        basename(process.execPath),
        '--',
        process.execPath,
        '--import',
        'tsx',
        TRACED_SERVER,
        'github',
        receiver.endpoint,
      ]),
    );
    children.push(await startReady(['node', ...mesh, '--policy', join(dir, 'policy.yaml')]));
  }, E2E_MS);

  afterAll(async () => {
    for (const child of children.reverse()) await stopChild(child);
    await receiver?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it(
    "puts one call's spans from every hop in one trace, and an operator's suspend with its reason",
    async () => {
      const created = await cli('session', 'create', '--purpose', 'review', '--user', 'carol', '--json');
      const { sid, sessionFile } = JSON.parse(created) as { sid: string; sessionFile: string };
      const client = new Client({ name: 'traced-agent', version: '1.0.0' });
      await client.connect(
        new StdioClientTransport({
          command: process.execPath,
          args: [...CLI, 'bridge', '--session', sessionFile],
          env: env as Record<string, string>,
          cwd: ROOT,
        }),
      );
      try {
        const result = await client.callTool({ name: TOOL, arguments: { repo: 'acme/api', number: 1 } });
        expect(result.isError).toBeFalsy();
      } finally {
        await client.close();
      }

      // The agent's span: the bridge's request over NATS, the root of the call's trace.
      const agent = await span((s) => s.service === 'trustmesh-bridge' && s.name === `tools/call ${TOOL}`);
      expect(agent).toMatchObject({ kind: SPAN_KIND.client, parentSpanId: undefined });
      const inTrace = (where: (s: ReceivedSpan) => boolean) =>
        span((s) => s.traceId === agent.traceId && where(s));
      const session = await inTrace((s) => s.service === 'trustmesh-node' && s.kind === SPAN_KIND.server);
      const decide = await inTrace((s) => s.name === `decide ${TOOL}`);
      const brokerCall = await inTrace((s) => s.service === 'trustmesh-node' && s.kind === SPAN_KIND.client);
      const broker = await inTrace((s) => s.service === 'trustmesh-broker' && s.kind === SPAN_KIND.server);
      const upstream = await inTrace((s) => s.service === 'trustmesh-broker' && s.kind === SPAN_KIND.client);
      const server = await inTrace((s) => s.service === 'github-mcp-server');

      expect(session).toMatchObject({ name: `tools/call ${TOOL}`, parentSpanId: agent.spanId });
      expect(session.attributes).toMatchObject({
        'mcp.method.name': 'tools/call',
        'mcp.session.id': sid,
        'gen_ai.tool.name': TOOL,
      });
      expect(decide.parentSpanId).toBe(session.spanId);
      expect(decide.attributes).toMatchObject({
        'trustmesh.verdict': 'allow',
        'trustmesh.session.state': 'active',
      });
      expect(brokerCall).toMatchObject({ name: `tools/call ${TOOL}`, parentSpanId: session.spanId });
      expect(broker).toMatchObject({ name: 'broker github', parentSpanId: brokerCall.spanId });
      expect(upstream).toMatchObject({ name: 'tools/call get_pull_request', parentSpanId: broker.spanId });
      expect(server).toMatchObject({
        name: 'tools/call get_pull_request',
        kind: SPAN_KIND.server,
        parentSpanId: upstream.spanId,
      });
      expect(server.attributes).toMatchObject({ 'gen_ai.tool.name': 'get_pull_request' });

      await cli('sessions', 'suspend', sid, '--reason', 'SEC-42', '--operator', 'alice');
      const suspended = await span(
        (s) =>
          s.name === 'session.transition' &&
          s.attributes['mcp.session.id'] === sid &&
          s.attributes['trustmesh.session.to'] === 'suspended',
      );
      expect(suspended).toMatchObject({ service: 'trustmesh-node' });
      expect(suspended.attributes).toMatchObject({
        'trustmesh.session.from': 'active',
        'trustmesh.session.event': 'OPERATOR_SUSPEND',
      });
      expect(suspended.attributes['trustmesh.session.reason']).toContain('SEC-42');

      await until(async () =>
        ['trustmesh.calls', 'trustmesh.call.duration', 'trustmesh.session.containments'].every((name) =>
          receiver.metrics.some((m) => m.service === 'trustmesh-node' && m.name === name),
        ),
      );
    },
    E2E_MS,
  );

  /** Waits until the receiver holds a span matching `where`, and returns it. */
  async function span(where: (s: ReceivedSpan) => boolean): Promise<ReceivedSpan> {
    await until(async () => receiver.spans.some(where));
    return receiver.spans.find(where)!;
  }

  function cli(...args: string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(
        process.execPath,
        [...CLI, ...args, '--nats', natsUrl, '--dir', dir],
        { cwd: ROOT },
        (err, stdout, stderr) => (err ? reject(new Error(`${args.join(' ')}: ${stderr}`)) : resolve(stdout)),
      );
    });
  }

  /** Spawns a long-running trustmesh command with the OTEL_* environment; resolves on its ready line. */
  async function startReady(args: string[]): Promise<ChildProcess> {
    const child = spawn(process.execPath, [...CLI, ...args], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const log: string[] = [];
    createInterface({ input: child.stderr! }).on('line', (line) => log.push(line));
    await new Promise<void>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`${args[0]} exited (${code}):\n${log.join('\n')}`)));
      createInterface({ input: child.stdout! }).once('line', () => {
        child.removeAllListeners('exit');
        resolve();
      });
    });
    return child;
  }
});
