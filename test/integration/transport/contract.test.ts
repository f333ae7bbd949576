import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, MessageExtraInfo } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { NatsServerProcess } from '../../../src/natsd/index.js';
import {
  generateKeyPair,
  KeyRing,
  NatsClientTransport,
  type NatsServerTransport,
} from '../../../src/transport/index.js';
import { startNats } from '../../support/nats-harness.js';
import { type NatsWiring, natsPair } from '../../support/wire.js';

const PING: JSONRPCMessage = { jsonrpc: '2.0', id: 1, method: 'ping' };
const PONG: JSONRPCMessage = { jsonrpc: '2.0', id: 1, result: {} };
const NOTE: JSONRPCMessage = {
  jsonrpc: '2.0',
  method: 'notifications/message',
  params: { level: 'info', data: 'hi' },
};

let server: NatsServerProcess;
let pair: NatsWiring;

beforeAll(async () => {
  server = await startNats();
});

afterEach(async () => {
  await pair?.clientTransport.close();
  await pair?.serverTransport.close();
  await pair?.close();
});

/** The next message `transport` delivers, with its extra info. */
function nextMessage(transport: Transport): Promise<[JSONRPCMessage, MessageExtraInfo | undefined]> {
  return new Promise((resolve) => {
    transport.onmessage = (message, extra) => resolve([message, extra]);
  });
}

async function started(): Promise<NatsWiring> {
  pair = await natsPair({ url: server.url });
  await pair.serverTransport.start();
  await pair.clientTransport.start();
  return pair;
}

describe.each([
  ['client', (p: NatsWiring): Transport => p.clientTransport],
  ['server', (p: NatsWiring): Transport => p.serverTransport],
] as const)('the %s transport keeps the SDK Transport contract', (_, end) => {
  it('throws when started twice', async () => {
    const transport = end(await started());
    await expect(transport.start()).rejects.toMatchObject({ code: 'ERR_TRANSPORT_ALREADY_STARTED' });
  });

  it('closes idempotently, firing onclose exactly once', async () => {
    const transport = end(await started());
    let closes = 0;
    transport.onclose = () => closes++;
    await transport.close();
    await transport.close();
    await transport.close();
    expect(closes).toBe(1);
  });

  it('rejects send() after close', async () => {
    const transport = end(await started());
    await transport.close();
    await expect(transport.send(NOTE)).rejects.toMatchObject({ code: 'ERR_TRANSPORT_CLOSED' });
  });

  it('reads onmessage when it dispatches, not when it started', async () => {
    const p = await started();
    const transport = end(p);
    const other = transport === p.clientTransport ? p.serverTransport : p.clientTransport;
    transport.onmessage = () => expect.unreachable('the handler in place at start() must not be used');
    const received = nextMessage(transport);
    await other.send(NOTE);
    expect((await received)[0]).toEqual(NOTE);
  });
});

describe('the client transport', () => {
  it('rejects a request sent before start()', async () => {
    pair = await natsPair({ url: server.url });
    await expect(pair.clientTransport.send(PING)).rejects.toMatchObject({
      code: 'ERR_TRANSPORT_NOT_STARTED',
    });
  });

  it('has the trustmesh session id as sid, and as sessionId once initialized', async () => {
    const p = await started();
    expect(p.clientTransport.sid).toBe(p.sid);
    expect(p.clientTransport.sessionId).toBeUndefined();
    await p.clientTransport.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    expect(p.clientTransport.sessionId).toBe(p.sid);
  });

  it('fails start() and closes when the mesh does not trust its key', async () => {
    pair = await natsPair({ url: server.url });
    const errors: Error[] = [];
    pair.serverTransport.onerror = (e) => errors.push(e);
    await pair.serverTransport.start();
    const stranger = new NatsClientTransport({
      nc: pair.agent,
      sid: pair.sid,
      identity: generateKeyPair('ed25519').signingKey,
      trust: new KeyRing([pair.meshKeys.verifyingKey]),
    });
    let closes = 0;
    stranger.onclose = () => closes++;
    await expect(stranger.start()).rejects.toThrow(/not trusted/);
    expect(closes).toBe(1);
    expect(errors).toEqual([expect.objectContaining({ code: 'ERR_ENVELOPE_UNKNOWN_KEY' })]);
  });
});

describe('the server transport', () => {
  it('queues a hello that arrives before start() and answers it once started', async () => {
    pair = await natsPair({ url: server.url });
    await pair.mesh.flush();
    let clientStarted = false;
    const connecting = pair.clientTransport.start().then(() => {
      clientStarted = true;
    });
    await pair.agent.flush();
    await pair.mesh.flush();
    expect(clientStarted).toBe(false);
    await pair.serverTransport.start();
    await connecting;
    expect(clientStarted).toBe(true);
  });

  it('delivers requests with the agent key id as authInfo, and routes the response back', async () => {
    const p = await started();
    const atServer = nextMessage(p.serverTransport);
    const atClient = nextMessage(p.clientTransport);
    await p.clientTransport.send(PING);
    const [request, extra] = await atServer;
    expect(request).toEqual(PING);
    expect(extra?.authInfo?.clientId).toBe(p.agentKeys.signingKey.kid);
    await p.serverTransport.send(PONG);
    expect((await atClient)[0]).toEqual(PONG);
  });

  it('hands the session to a reconnecting agent with a newer hello, and refuses an older one', async () => {
    const p = await started();
    const reconnect = (clock?: () => number) =>
      new NatsClientTransport({
        nc: p.agent,
        sid: p.sid,
        identity: p.agentKeys.signingKey,
        trust: new KeyRing([p.meshKeys.verifyingKey]),
        ...(clock ? { clock } : {}),
      });
    const second = reconnect();
    await second.start();
    const atServer = nextMessage(p.serverTransport);
    await second.send(PING);
    expect((await atServer)[0]).toEqual(PING);
    // A hello older than the current channel's (what a replay looks like) never takes it over.
    await expect(reconnect(() => Date.now() - 5_000).start()).rejects.toThrow();
    await second.close();
  });

  it('drops notifications before any agent connects but rejects requests', async () => {
    pair = await natsPair({ url: server.url });
    const transport: NatsServerTransport = pair.serverTransport;
    await transport.start();
    await expect(transport.send(NOTE)).resolves.toBeUndefined();
    await expect(transport.send(PING)).rejects.toMatchObject({ code: 'ERR_TRANSPORT_NOT_STARTED' });
  });
});
