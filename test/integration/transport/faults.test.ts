import { randomBytes } from 'node:crypto';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { connect, type Msg } from '@nats-io/transport-node';
import { afterEach, describe, expect, it } from 'vitest';
import {
  EnvelopeError,
  EnvelopeKind,
  EnvelopeSealer,
  generateKeyPair,
  NatsClientTransport,
  sessionSubjects,
} from '../../../src/transport/index.js';
import { encodeRpc } from '../../../src/transport/rpc-codec.js';
import { createEchoServer } from '../../fixtures/echo-server.js';
import { startNats } from '../../support/nats-harness.js';
import { type Wired, wire } from '../../support/wire.js';

// Far below the SDK's own 60 s request timeout and the transport's 120 s one: if a failure takes
// this long, something hung, and it was not the transport that saved us.
const PROMPT_MS = 5_000;

/** Settles with `promise`, or rejects if it is still pending after PROMPT_MS. */
function promptly<T>(promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still pending after ${PROMPT_MS} ms`)), PROMPT_MS);
  });
  return Promise.race([promise, hung]).finally(() => clearTimeout(timer));
}

/** The McpError a call failed with, so tests can check its JSON-RPC and trustmesh codes. */
async function failure(promise: Promise<unknown>): Promise<McpError> {
  const err = await promptly(promise).then(
    () => {
      throw new Error('the call succeeded; it should have failed');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(McpError);
  return err as McpError;
}

function trustmeshCode(err: McpError): unknown {
  return (err.data as { code?: unknown } | undefined)?.code;
}

describe('NATS transport faults', () => {
  let wired: Wired;
  const calls: string[] = [];
  let inFlight: Promise<void>;

  /** Wires an echo server over NATS; `inFlight` resolves once a `hang` call runs on the server. */
  async function wireHanging(options: Parameters<typeof wire>[2] = {}): Promise<Wired> {
    calls.length = 0;
    let started!: () => void;
    inFlight = new Promise((resolve) => {
      started = resolve;
    });
    const server = createEchoServer({
      onCall: (tool) => {
        calls.push(tool);
        if (tool === 'hang') started();
      },
    });
    wired = await wire('nats', server, options);
    return wired;
  }

  afterEach(async () => {
    await wired?.close();
  });

  it('closing the client transport fails the call in flight at once', async () => {
    const { client, nats } = await wireHanging();
    // Observed from the start: the rejection may come while the test is still awaiting the fault.
    const call = failure(client.callTool({ name: 'hang', arguments: {} }));
    await inFlight;
    await nats!.clientTransport.close();
    const err = await call;
    expect(err.code).toBe(ErrorCode.ConnectionClosed);
    expect(trustmeshCode(err)).toBe('ERR_TRANSPORT_CLOSED');
  });

  it('closing the server transport fails the call in flight at once', async () => {
    const { client, nats } = await wireHanging();
    // Observed from the start: the rejection may come while the test is still awaiting the fault.
    const call = failure(client.callTool({ name: 'hang', arguments: {} }));
    await inFlight;
    await nats!.serverTransport.close();
    const err = await call;
    expect(err.code).toBe(ErrorCode.ConnectionClosed);
    expect(trustmeshCode(err)).toBe('ERR_TRANSPORT_CLOSED');
    expect(err.message).toMatch(/MCP server closed session .* before answering tools\/call/);
  });

  it('killing nats-server fails the call in flight at once', async () => {
    const { client, nats } = await wireHanging();
    // Observed from the start: the rejection may come while the test is still awaiting the fault.
    const call = failure(client.callTool({ name: 'hang', arguments: {} }));
    await inFlight;
    await nats!.server!.kill('SIGKILL');
    const err = await call;
    expect(err.code).toBe(ErrorCode.ConnectionClosed);
    expect(trustmeshCode(err)).toBe('ERR_TRANSPORT_DISCONNECTED');
  });

  it('a call to a session nobody serves any more fails with no responders', async () => {
    const { client, nats } = await wireHanging();
    await nats!.serverTransport.close();
    await nats!.mesh.flush(); // the unsubscription has reached nats-server
    const err = await failure(client.callTool({ name: 'echo', arguments: { text: 'anyone?' } }));
    expect(err.code).toBe(ErrorCode.ConnectionClosed);
    expect(trustmeshCode(err)).toBe('ERR_TRANSPORT_NO_RESPONDERS');
    expect(calls).toEqual([]);
  });

  it('a call in flight when the mesh end dies outright fails as outcome unknown, long before its timeout', async () => {
    const { client, nats } = await wireHanging({ requestTimeoutMs: 60_000 });
    const call = failure(client.callTool({ name: 'hang', arguments: {} }));
    await inFlight;
    // Its connection goes without a word (a kill -9): no refusal reaches the agent, only silence.
    await nats!.mesh.close();
    const err = await call;
    expect(trustmeshCode(err)).toBe('ERR_TRANSPORT_OUTCOME_UNKNOWN');
    expect(err.message).toContain('may or may not have run');
    expect(calls).toEqual(['hang']);
  });

  it('a call racing the server closing fails at once, whichever wins the race', async () => {
    const { client, nats } = await wireHanging();
    const closing = nats!.serverTransport.close();
    const err = await failure(client.callTool({ name: 'echo', arguments: { text: 'racing' } }));
    await closing;
    expect(['ERR_TRANSPORT_NO_RESPONDERS', 'ERR_TRANSPORT_CLOSED']).toContain(trustmeshCode(err));
  });

  it('connecting to a session nobody serves fails the handshake with no responders', async () => {
    const server = await startNats();
    const nc = await connect({ servers: server.url });
    try {
      const keys = generateKeyPair('ed25519');
      const transport = new NatsClientTransport({
        nc,
        sid: 'nobody-serves-this-session',
        identity: keys.signingKey,
        trust: { get: () => undefined },
      });
      const err = await promptly(transport.start()).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'ERR_TRANSPORT_HANDSHAKE' });
      expect((err as Error).message).toMatch(/No mesh node serves session nobody-serves-this-session/);
    } finally {
      await nc.close();
    }
  });

  it('times a silent server out with a JSON-RPC timeout error', async () => {
    const { client } = await wireHanging({ requestTimeoutMs: 200 });
    const err = await failure(client.callTool({ name: 'hang', arguments: {} }));
    expect(err.code).toBe(ErrorCode.RequestTimeout);
    expect(trustmeshCode(err)).toBe('ERR_TRANSPORT_TIMEOUT');
  });

  describe('injected envelopes on c2s', () => {
    async function inject(bytes: Uint8Array): Promise<Msg> {
      const { nats } = wired;
      const attacker = await connect({ servers: nats!.server!.url });
      try {
        return await attacker.request(sessionSubjects('tm', nats!.sid).c2s, bytes, { timeout: PROMPT_MS });
      } finally {
        await attacker.close();
      }
    }

    async function serverErrors(): Promise<Error[]> {
      await wireHanging();
      const errors: Error[] = [];
      wired.nats!.serverTransport.onerror = (e) => errors.push(e);
      return errors;
    }

    const echoCall = encodeRpc({
      jsonrpc: '2.0',
      id: 99,
      method: 'tools/call',
      params: { name: 'echo', arguments: { text: 'forged' } },
    });

    it('garbage is refused, reported and never reaches the server', async () => {
      const errors = await serverErrors();
      const reply = await inject(randomBytes(200));
      expect(reply.headers?.get('Tm-Refusal')).toBe('rejected');
      expect(errors).toEqual([expect.objectContaining({ code: 'ERR_ENVELOPE_MALFORMED' })]);
      expect(calls).toEqual([]);
    });

    it('an envelope sealed with an untrusted key is refused, reported and never reaches the server', async () => {
      const errors = await serverErrors();
      const forger = new EnvelopeSealer(generateKeyPair('ed25519').signingKey);
      const reply = await inject(forger.seal(EnvelopeKind.Rpc, wired.nats!.sid, echoCall));
      expect(reply.headers?.get('Tm-Refusal')).toBe('rejected');
      expect(errors).toHaveLength(1);
      expect(errors[0]).toBeInstanceOf(EnvelopeError);
      expect(calls).toEqual([]);
    });

    it('a replayed envelope is refused, reported and never reaches the server twice', async () => {
      const errors = await serverErrors();
      const { nats, client } = wired;
      const spy = await connect({ servers: nats!.server!.url });
      const captured: Uint8Array[] = [];
      spy.subscribe(sessionSubjects('tm', nats!.sid).c2s, {
        callback: (_, msg) => void captured.push(msg.data),
      });
      await spy.flush();
      await client.callTool({ name: 'echo', arguments: { text: 'once' } });
      await spy.close();
      expect(captured).toHaveLength(1);
      const reply = await inject(captured[0]!);
      expect(reply.headers?.get('Tm-Refusal')).toBe('rejected');
      expect(errors).toEqual([expect.objectContaining({ code: 'ERR_ENVELOPE_REPLAY' })]);
      expect(calls).toEqual(['echo']);
    });
  });
});
