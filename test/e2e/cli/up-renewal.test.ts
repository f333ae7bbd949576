import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credsOptions } from '../../../src/cli/mesh-connection.js';
import { LOCAL_NAME, localMeshTls } from '../../../src/cli/mesh-tls.js';
import { BACKDATE_MS } from '../../../src/pki/ca/index.js';
import { parseCertificate } from '../../../src/pki/certs/index.js';
import { natsClientTlsFiles } from '../../../src/pki/tls/index.js';
import { startUp, stopUp } from '../../support/up-process.js';

// `up` starts nats-server, a node, a broker and a session through tsx: slow on a loaded 2-core machine.
const UP_READY_MS = 120_000;
// With 1 min leaves every one renews 24-36 s after it was issued; the calls run until all have.
const LOAD_MS = 240_000;
const CALLS = 1_000;
const IN_FLIGHT = 8;
// What a client sees while the server's reload reconnects everyone (decision 0011).
const RELOAD_BOUNCE =
  /No MCP server is listening on session|No mesh node serves session|dropped while the request was in flight/;
const LEAVES = ['nats-server-local', 'node-local', 'broker-filesystem', 'operator-local'];

interface UpReady {
  ok: boolean;
  natsUrl: string;
  bridge: string[];
}

/** The operator's TLS files; they exist once up has issued them. */
async function localMeshTlsOf(dir: string) {
  const files = await localMeshTls(dir, 'operator', LOCAL_NAME);
  if (!files) throw new Error(`no operator certificate under ${dir}/pki`);
  return files;
}

/** A reload (one every ~30 s here) may bounce the bridge's first handshake; a new bridge then connects. */
async function connectBridge(command: string, args: string[]): Promise<Client> {
  for (let attempt = 1; ; attempt++) {
    const client = new Client({ name: 'e2e', version: '1.0.0' });
    try {
      await client.connect(new StdioClientTransport({ command, args, stderr: 'inherit' }));
      return client;
    } catch (err) {
      await client.close();
      if (attempt === 3) throw err;
    }
  }
}

/** When the leaf now on disk was issued (its notBefore is backdated by BACKDATE_MS). */
async function issuedAt(dir: string, leaf: string): Promise<number> {
  const file = join(dir, 'pki', 'issued', `${leaf}.crt`);
  return parseCertificate(await readFile(file, 'utf8'), file).notBefore.getTime() + BACKDATE_MS;
}

describe('trustmesh up with short-lived certificates', () => {
  let dir: string;
  let up: ChildProcess;
  let bridge: string[];
  let readyAt: number;
  let ready: UpReady;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'trustmesh-renewal-'));
    let line: string;
    ({ up, line, ready } = await startUp<UpReady>(dir, ['--cert-ttl', '1m']));
    if (!ready.ok) throw new Error(`trustmesh up failed: ${line}`);
    bridge = ready.bridge;
    readyAt = Date.now();
  }, UP_READY_MS);

  afterAll(async () => {
    await stopUp(up);
    await rm(dir, { recursive: true, force: true });
  });

  it(
    'renews every leaf (the server by reload) while 1,000 requests flow; only a reload bounce refuses any',
    async () => {
      const [command, ...args] = bridge;
      const client = await connectBridge(command!, args);
      const renewedAll = async () =>
        (await Promise.all(LEAVES.map((leaf) => issuedAt(dir, leaf)))).every((at) => at > readyAt);
      const deadline = Date.now() + LOAD_MS - 20_000;
      let calls = 0;
      let done = false;
      const failures: unknown[] = [];
      const request = async (n: number) => {
        // The demo policy allows 60 tool calls a minute; every 200th request is one (denials would raise the monitor's risk), the rest list the grant.
        if (n % 200 === 0) {
          const result = await client.callTool({
            name: 'filesystem.read_text_file',
            arguments: { path: 'src/index.ts' },
          });
          if (!JSON.stringify(result.content).includes('import { greet }'))
            throw new Error(`call ${n} got ${JSON.stringify(result)}`);
        } else if ((await client.listTools()).tools.length !== 3) {
          throw new Error(`request ${n} listed another grant`);
        }
      };
      const worker = async () => {
        while (!done && Date.now() < deadline) {
          await request(calls++).catch((err: unknown) => failures.push(err));
          if (calls >= CALLS && (await renewedAll())) done = true;
        }
      };
      try {
        await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
      } finally {
        await client.close();
      }
      // nats-server 2.9 in operator mode closes every client on a reload (decision 0011): a request
      // in flight on the bridge's connection, or sent while the node re-subscribes, fails with a
      // transport error. Any other failure (a TLS refusal, a denied or broken call) fails the test.
      const bounced = failures.filter((err) => RELOAD_BOUNCE.test(String((err as Error).message)));
      expect(failures.filter((err) => !bounced.includes(err))).toEqual([]);
      expect(bounced.length).toBeLessThan(CALLS / 20);
      expect(calls).toBeGreaterThanOrEqual(CALLS);
      expect(await renewedAll()).toBe(true);

      // A client started now connects with the renewed operator leaf to the reloaded server.
      const operator = await connect({
        servers: ready.natsUrl,
        reconnect: false,
        tls: natsClientTlsFiles(await localMeshTlsOf(dir)),
        ...(await credsOptions(join(dir, 'creds', 'operator.creds'))),
      });
      await operator.flush();
      await operator.close();
    },
    LOAD_MS,
  );
});
