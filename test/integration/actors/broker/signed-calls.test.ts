import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Packr } from 'msgpackr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BrokerOptions,
  brokerSubjects,
  FilePinStore,
  sealBrokerResponse,
  ToolBroker,
} from '../../../../src/actors/broker/index.js';
import { BrokerClient, BrokerRefusal } from '../../../../src/actors/session/broker-client.js';
import { KvRevocationList } from '../../../../src/pki/revocation/index.js';
import { decodeSignedFrame, SignedPurpose, sealSigned } from '../../../../src/pki/signer/index.js';
import { createTestPki } from '../../../support/mesh-pki.js';
import { startNats } from '../../../support/nats-harness.js';
import { refusal } from '../../../support/refusal.js';
import { Caller, codeOf, fixtureUpstream, NODE, NODE_IDENTITY, PKI, TRUST, textOf } from './helpers.js';

const HOUR = 3_600_000;
const packr = new Packr({ useRecords: false });
const brokers: ToolBroker[] = [];
const pinDirs: string[] = [];

/** One broker for a whole describe block (its pins in a temp dir), drained after the file. */
async function githubBroker(nc: NatsConnection, options: Partial<BrokerOptions> = {}): Promise<void> {
  const pins = await mkdtemp(join(tmpdir(), 'trustmesh-signed-'));
  pinDirs.push(pins);
  const broker = new ToolBroker({
    connection: nc,
    server: 'github',
    upstream: fixtureUpstream('github'),
    identity: await PKI.identity('broker', 'github'),
    trust: TRUST,
    pinStore: new FilePinStore(pins),
    allowedCommands: [NODE],
    ...options,
  });
  brokers.push(broker);
  await broker.start();
  await broker.waitForState(['ready'], 15_000);
}

afterAll(async () => {
  await Promise.allSettled(brokers.map((broker) => broker.drain()));
  await Promise.all(pinDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});
const PR = { repo: 'acme/api', number: 1 };

/**
 * A real broker in front of the GitHub-like fixture server, checking node certificates against the
 * mesh-wide revocation list in a real JetStream KV bucket.
 */
describe('broker: capabilities signed by node certificates', () => {
  let nc: NatsConnection;
  let revocations: KvRevocationList;
  let writer: KvRevocationList;

  beforeAll(async () => {
    const nats = await startNats();
    nc = await connect({ servers: nats.url });
    revocations = await KvRevocationList.open(nc);
    writer = await KvRevocationList.open(await connect({ servers: nats.url }));
    await githubBroker(nc, { trust: PKI.trust({ revocations }) });
  });
  afterAll(async () => {
    await Promise.all([revocations?.close(), writer?.close()]);
    await nc?.close();
  });

  it('serves a capability signed by a node of the mesh CA', async () => {
    expect(textOf(await new Caller(nc, 'github').callTool('get_pull_request', PR))).toContain('acme/api');
  });

  it('refuses a capability signed by a node certificate of another CA', async () => {
    const foreign = await (await createTestPki()).identity('node', NODE_IDENTITY.name);
    const forger = new Caller(nc, 'github', foreign);
    expect(codeOf(await forger.callTool('get_pull_request', PR))).toBe('ERR_SIGNER_UNTRUSTED');
  });

  it('refuses a capability signed by an expired node certificate', async () => {
    const expired = await PKI.identity('node', 'node-old', { clock: () => Date.now() - 2 * HOUR });
    const caller = new Caller(nc, 'github', expired);
    expect(codeOf(await caller.callTool('get_pull_request', PR))).toBe('ERR_SIGNER_EXPIRED');
  });

  it('refuses a capability signed by a broker certificate', async () => {
    const broker = await PKI.identity('broker', 'github');
    const caller = new Caller(nc, 'github', broker);
    expect(codeOf(await caller.callTool('get_pull_request', PR))).toBe('ERR_SIGNER_WRONG_KIND');
  });

  it('refuses the next call of a node whose certificate is revoked in KV while the broker runs', async () => {
    const node = await PKI.identity('node', 'node-revoked');
    const caller = new Caller(nc, 'github', node);
    expect(codeOf(await caller.callTool('get_pull_request', PR))).toBe('result');
    await writer.revoke({ kind: 'cert', id: node.serial, reason: 'key compromise' });
    // The broker's list follows the bucket through a watch; the call after it has the entry is refused.
    await expect.poll(() => revocations.isRevoked(node.serial), { timeout: 10_000 }).toBe(true);
    expect(codeOf(await caller.callTool('get_pull_request', PR))).toBe('ERR_SIGNER_REVOKED');
    expect(codeOf(await new Caller(nc, 'github').callTool('get_pull_request', PR))).toBe('result');
  });
});

/**
 * The session's side: a relay between `BrokerClient` and the real broker rewrites answers as a
 * component on the NATS path could. Each rewrite is refused with its code, never accepted.
 */
describe('session: broker answers signed by broker certificates', () => {
  let nc: NatsConnection;
  let rewrite: (answer: Uint8Array, request: Uint8Array) => Promise<Uint8Array> | Uint8Array;
  let client: BrokerClient;
  const caller = () => new Caller(nc, 'github');

  beforeAll(async () => {
    const nats = await startNats({ jetstream: false });
    nc = await connect({ servers: nats.url });
    await githubBroker(nc);
    // The session talks to prefix `relay`; the relay forwards to the broker on `tm` and rewrites the answer.
    nc.subscribe(brokerSubjects('relay', 'github').call, {
      callback: (_err, msg) => {
        void nc
          .request(brokerSubjects('tm', 'github').call, msg.data, { timeout: 10_000 })
          .then(async (answer) => msg.respond(await rewrite(answer.data, msg.data)));
      },
    });
    client = new BrokerClient(nc, 'relay', 10_000, PKI.trust());
  });
  afterAll(() => nc?.close());

  const call = () =>
    client.call('github', {
      capability: caller().mint('get_pull_request', PR),
      method: 'tools/call',
      params: { name: 'github.get_pull_request', arguments: PR },
    });

  it('accepts an answer signed by the broker of that server for this request', async () => {
    rewrite = (answer) => answer;
    expect(JSON.stringify(await call())).toContain('acme/api');
  });

  it('refuses a tampered answer with ERR_SIGNER_SIGNATURE', async () => {
    rewrite = (answer) => {
      const { payload, fingerprint, signature, certificate } = decodeSignedFrame(answer)!;
      const altered = Uint8Array.from(payload);
      altered[altered.length - 2] = (altered[altered.length - 2] ?? 0) ^ 1;
      return packr.pack([altered, fingerprint, signature, certificate]);
    };
    expect((await refusal(call(), BrokerRefusal)).code).toBe('ERR_SIGNER_SIGNATURE');
  });

  it('refuses an answer signed by a node certificate with ERR_SIGNER_WRONG_KIND', async () => {
    const node = await PKI.identity('node', 'github');
    rewrite = (answer) => sealSigned(node, SignedPurpose.BrokerResponse, decodeSignedFrame(answer)!.payload);
    expect((await refusal(call(), BrokerRefusal)).code).toBe('ERR_SIGNER_WRONG_KIND');
  });

  it("refuses another server's broker answering, and a genuine answer to another request", async () => {
    const other = await PKI.identity('broker', 'filesystem');
    rewrite = (_answer, request) => sealBrokerResponse(other, request, { result: { content: [] } });
    expect((await refusal(call(), BrokerRefusal)).code).toBe('ERR_SIGNER_WRONG_KIND');
    const github = await PKI.identity('broker', 'github');
    rewrite = () => sealBrokerResponse(github, new Uint8Array([1]), { result: { content: [] } });
    expect((await refusal(call(), BrokerRefusal)).code).toBe('ERR_BROKER_BAD_RESPONSE');
  });
});
