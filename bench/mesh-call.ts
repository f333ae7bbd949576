import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { FilePinStore, ToolBroker } from '../src/actors/broker/index.js';
import { MeshControl, type SessionDescriptor } from '../src/actors/control/index.js';
import { loadNodeState, MeshNode, nodeStatePaths, sessionTokenIssuer } from '../src/actors/node/index.js';
import { SERVICE_CONNECTION } from '../src/cli/mesh-connection.js';
import { KvRevocationList } from '../src/pki/index.js';
import { loadOrCreatePrivateJwk, publicJwkOf } from '../src/pki/key-store.js';
import { MeshTrust } from '../src/pki/signer/index.js';
import { withSessionToken } from '../src/pki/tokens/index.js';
import {
  generateKeyPair,
  importVerifyingKey,
  KeyRing,
  NatsClientTransport,
  newSessionId,
  sessionConnectOptions,
} from '../src/transport/index.js';
import { benchPki } from './mesh-pki.js';
import { ECHO_TEXT } from './runner/payload.js';
import type { RoundTripFigures, RoundTripOptions } from './runner/round-trip.js';
import { measureRoundTrip } from './runner/round-trip.js';

export interface MeshCallOptions extends RoundTripOptions {
  /** nats-server to measure against (JetStream on: the node keeps its registry there). */
  url: string;
}

const SERVER = 'echo';
const TOOL = `${SERVER}.echo`;
const PURPOSE = 'bench';
const PRINCIPAL = 'bench@example.com';
/** A grant with no limits: the bench measures the checks, not the rate limiter saying no. */
const POLICY = `
catalogue:
  ${SERVER}:
    tools:
      echo: { effect: read }
purposes:
  ${PURPOSE}:
    tools:
      ${TOOL}: { allowed: true }
`;
const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const ECHO_SERVER = new URL('../test/fixtures/echo-server.ts', import.meta.url).href;
// The project's echo fixture served over stdio, as a separate Node process (tsx loads the .ts).
const ECHO_SERVER_MAIN = [
  "const { StdioServerTransport } = await import('@modelcontextprotocol/sdk/server/stdio.js');",
  'const { createEchoServer } = await import(process.argv[1]);',
  'await createEchoServer().connect(new StdioServerTransport());',
].join('\n');
const READY_TIMEOUT_MS = 15_000;
const SESSION_TTL_MS = 3_600_000;

/**
 * Subject: the zero-trust call path end to end. An SDK `Client` (the agent) calls `echo.echo` over
 * the NATS MCP transport with its session token; the session actor on an in-process mesh node opens
 * the sealed envelope, verifies the token, runs the statechart's policy decision, mints a call-bound
 * capability signed with its node certificate (Ed25519) and asks the `ToolBroker`, which checks the
 * node certificate (chain cached, expiry and the KV revocation list on every call), the signature and
 * the capability (nonce included), checks the pinned schema and calls the echo fixture, a stdio child
 * process; the broker signs its answer with its own certificate and the session verifies it the same
 * way; the result is accounted in bytes and sealed back; the node's audit records the call durably
 * before the broker runs it, and its result after. Nothing is switched off.
 */
export async function benchMeshCall(options: MeshCallOptions): Promise<RoundTripFigures> {
  const mesh = await startBenchMesh(options.url);
  try {
    return await measureRoundTrip(() => echoCall(mesh), options);
  } finally {
    await mesh.stop();
  }
}

export interface BenchMesh {
  readonly client: Client;
  stop(): Promise<void>;
}

/** One `echo.echo` call through the mesh; a tool error fails the bench. */
export async function echoCall(mesh: BenchMesh): Promise<void> {
  const result = await mesh.client.callTool({ name: TOOL, arguments: { text: ECHO_TEXT } });
  if (result.isError) throw new Error(`mesh echo call failed: ${JSON.stringify(result.content)}`);
}

/**
 * Node, broker and agent on their own connections, torn down in reverse on failure or at the end.
 * The node audits every call (log in the throwaway state directory) unless `audit` is false.
 */
export async function startBenchMesh(url: string, { audit = true } = {}): Promise<BenchMesh> {
  const teardown: Array<() => Promise<unknown>> = [];
  const stop = async (): Promise<void> => {
    for (const step of teardown.splice(0).reverse()) await step().catch(() => undefined);
  };
  try {
    const dir = await mkdtemp(join(tmpdir(), 'trustmesh-bench-mesh-'));
    teardown.push(() => rm(dir, { recursive: true, force: true }));
    const policyPath = join(dir, 'policy.yaml');
    await writeFile(policyPath, POLICY);
    const { tokenKey } = await loadNodeState(dir);
    const pki = await benchPki();
    const connection = async (extra: object = {}): Promise<NatsConnection> => {
      const nc = await connect({ servers: url, ...extra });
      teardown.push(() => nc.close());
      return nc;
    };

    const brokerNc = await connection(SERVICE_CONNECTION);
    const revocations = await KvRevocationList.open(brokerNc);
    teardown.push(() => revocations.close());
    const broker = new ToolBroker({
      connection: brokerNc,
      server: SERVER,
      upstream: {
        kind: 'stdio',
        command: process.execPath,
        args: ['--import', 'tsx', '--input-type=module', '--eval', ECHO_SERVER_MAIN, ECHO_SERVER],
        cwd: REPO_ROOT,
      },
      identity: await pki.issue('broker', SERVER),
      trust: new MeshTrust({ anchors: pki.anchors, revocations }),
      pinStore: new FilePinStore(dir),
      allowedCommands: [basename(process.execPath)],
    });
    teardown.push(() => broker.drain());
    await broker.start();
    await broker.waitForState(['ready'], READY_TIMEOUT_MS);

    const node = await MeshNode.start({
      nc: await connection(SERVICE_CONNECTION),
      stateDir: dir,
      signer: await pki.issue('node', 'bench-node'),
      anchors: pki.anchors,
      policyPaths: [policyPath],
      ...(audit ? {} : { audit: false as const }),
    });
    teardown.push(() => node.close());

    const sid = newSessionId();
    const agentKeys = generateKeyPair('ed25519');
    const now = Date.now();
    await new MeshControl({ nc: await connection() }).createSession({
      sid,
      principal: PRINCIPAL,
      purpose: PURPOSE,
      agentPublicKey: agentKeys.publicJwk as SessionDescriptor['agentPublicKey'],
      createdAt: now,
      expiresAt: now + SESSION_TTL_MS,
    });
    const { token } = await sessionTokenIssuer(tokenKey).issue({
      sessionId: sid,
      principal: PRINCIPAL,
      purpose: PURPOSE,
      tier: 'standard',
      tools: [TOOL],
      agentKey: agentKeys.publicJwk,
      ttlMs: SESSION_TTL_MS,
    });
    await served(node, sid);

    const nodeKey = importVerifyingKey(
      publicJwkOf(await loadOrCreatePrivateJwk(nodeStatePaths(dir).identity)),
    );
    const client = new Client({ name: 'bench-agent', version: '1.0.0' });
    const transport = new NatsClientTransport({
      nc: await connection(sessionConnectOptions('tm', sid)),
      sid,
      identity: agentKeys.signingKey,
      trust: new KeyRing([nodeKey]),
    });
    await client.connect(withSessionToken(transport, token));
    teardown.push(() => client.close());
    return { client, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The node activates sessions from its registry watch; wait until it serves this one. */
async function served(node: MeshNode, sid: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (node.session(sid) === undefined) {
    if (Date.now() > deadline) {
      throw new Error(`the mesh node did not start session ${sid} within ${READY_TIMEOUT_MS} ms.`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
