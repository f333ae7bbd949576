import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { onTestFinished } from 'vitest';
import {
  type BrokerCatalogue,
  type BrokerOptions,
  type BrokerResponse,
  brokerSubjects,
  decodeCatalogue,
  encodeBrokerRequest,
  FilePinStore,
  openBrokerResponse,
  ToolBroker,
} from '../../../../src/actors/broker/index.js';
import {
  CapabilityMethod,
  type MintFields,
  mintCapability,
} from '../../../../src/actors/capability/index.js';
import type { Clock } from '../../../../src/clock.js';
import type { MeshIdentity, MeshTrust } from '../../../../src/pki/signer/index.js';
import { type FixtureName, fixtureCommand } from '../../../fixtures/mcp/servers.js';
import { createTestPki } from '../../../support/mesh-pki.js';
import { startNats } from '../../../support/nats-harness.js';

/** The mesh CA of these tests, the node certificate callers sign with, and the trust both sides use. */
export const PKI = await createTestPki();
export const NODE_IDENTITY = await PKI.identity('node', 'node-1');
export const TRUST = PKI.trust();
export const NODE = basename(process.execPath);

/** A real nats-server and a client connection to it, both closed when the test ends. */
export async function natsFixture(): Promise<NatsConnection> {
  const server = await startNats({ jetstream: false });
  const nc = await connect({ servers: server.url });
  onTestFinished(() => nc.close());
  return nc;
}

/** A fresh state directory, removed when the test ends. */
export async function stateDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'trustmesh-broker-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export function fixtureUpstream(name: FixtureName): BrokerOptions['upstream'] {
  return { kind: 'stdio', ...fixtureCommand(name) };
}

/** Starts a broker with test defaults (fast retries, node allowed); drained when the test ends. */
export async function startBroker(
  nc: NatsConnection,
  options: Partial<BrokerOptions> & Pick<BrokerOptions, 'server' | 'upstream'>,
): Promise<ToolBroker> {
  const broker = new ToolBroker({
    connection: nc,
    identity: await PKI.identity('broker', options.server),
    trust: TRUST,
    pinStore: new FilePinStore(await stateDir()),
    allowedCommands: [NODE],
    retry: { baseMs: 50, maxMs: 200 },
    drainTimeoutMs: 5_000,
    ...options,
  });
  onTestFinished(() => broker.drain());
  await broker.start();
  return broker;
}

/**
 * The session side of one call: mints a capability for `server`, signed by `signer`, sends the
 * request and verifies the broker's signed answer with `trust`.
 */
export class Caller {
  readonly signer: MeshIdentity;
  readonly #nc: NatsConnection;
  readonly #server: string;
  readonly #trust: MeshTrust;
  #calls = 0;

  constructor(nc: NatsConnection, server: string, signer = NODE_IDENTITY, trust = TRUST) {
    this.#nc = nc;
    this.#server = server;
    this.signer = signer;
    this.#trust = trust;
  }

  /** A capability for `tool` (unqualified) with `args`. */
  mint(
    tool: string,
    args: Record<string, unknown>,
    overrides: Partial<MintFields> = {},
    clock?: Clock,
  ): Uint8Array {
    return mintCapability(
      this.signer,
      {
        sid: 'test-session',
        server: this.#server,
        tool,
        args,
        policyVersion: 'test-1',
        callId: `call-${++this.#calls}`,
        ...overrides,
      },
      clock,
    );
  }

  /** `tools/call` of `<server>.<tool>` with a fresh capability, unless one is given. */
  callTool(
    tool: string,
    args: Record<string, unknown>,
    capability = this.mint(tool, args),
  ): Promise<BrokerResponse> {
    return this.send({
      capability,
      method: CapabilityMethod.ToolsCall,
      params: { name: `${this.#server}.${tool}`, arguments: args },
    });
  }

  async send(
    request: Parameters<typeof encodeBrokerRequest>[0],
    timeoutMs = 15_000,
  ): Promise<BrokerResponse> {
    return this.sendRaw(encodeBrokerRequest(request), timeoutMs);
  }

  async sendRaw(bytes: Uint8Array, timeoutMs = 15_000): Promise<BrokerResponse> {
    const reply = await this.#nc.request(brokerSubjects('tm', this.#server).call, bytes, {
      timeout: timeoutMs,
    });
    return openBrokerResponse(reply.data, bytes, this.#trust, this.#server);
  }

  async catalogue(): Promise<BrokerCatalogue> {
    const reply = await this.#nc.request(brokerSubjects('tm', this.#server).list, new Uint8Array(0), {
      timeout: 15_000,
    });
    return decodeCatalogue(reply.data);
  }
}

/** The text of a tool result's first content block; fails the test on an error answer. */
export function textOf(response: BrokerResponse): string {
  if ('error' in response)
    throw new Error(`expected a result, got ${response.error.code}: ${response.error.message}`);
  const content = response.result.content as { type: string; text?: string }[];
  return content[0]?.text ?? '';
}

/** The error code of a refusal, or `result` when the call went through. */
export function codeOf(response: BrokerResponse): string {
  return 'error' in response ? response.error.code : 'result';
}
