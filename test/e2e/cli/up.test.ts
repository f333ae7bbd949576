import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { connect, credsAuthenticator, type NatsConnection, type TlsOptions } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMeshCa, loadPki } from '../../../src/pki/ca/index.js';
import {
  type IssuedCertificate,
  issueLeafCertificate,
  parseCertificate,
} from '../../../src/pki/certs/index.js';
import { readSessionFile, type SessionFile, writeSessionFile } from '../../../src/pki/session-file.js';
import { natsClientTls } from '../../../src/pki/tls/index.js';
import { sessionConnectOptions } from '../../../src/transport/index.js';

// `up` starts nats-server, a node, a broker and a session through tsx: slow on a loaded 2-core machine.
const UP_READY_MS = 120_000;
// The bridge and the CLI start through tsx as well: 10-20 s apiece on that machine.
const STEP_MS = 90_000;

const CLI = [process.execPath, '--import', 'tsx', join(import.meta.dirname, '../../../src/cli/run.ts')];

interface UpReady {
  ok: true;
  natsUrl: string;
  natsPid: number;
  nodePid: number;
  brokerPid: number;
  brokerState: string;
  sessionId: string;
  sessionFile: string;
  workspace: string;
  policyVersion: string;
  bridge: string[];
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function connectAgent(session: SessionFile): Promise<NatsConnection> {
  return connect({
    servers: ready.natsUrl,
    reconnect: false,
    authenticator: credsAuthenticator(new TextEncoder().encode(session.natsCreds!)),
    tls: natsClientTls(session.tls!),
    ...sessionConnectOptions('tm', session.sessionId),
  });
}

const HOUR = 3_600_000;
// The server aborts the handshake with a TLS alert; under TLS 1.3 the client may see a reset instead.
const TLS_ALERT = { code: expect.stringMatching(/^(ERR_SSL_\w+|ECONNRESET|EPIPE)$/) };

/** Runs `trustmesh <args>` and resolves with its stdout; rejects when it exits non-zero. */
function runCli(...args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(CLI[0]!, [...CLI.slice(1), ...args], (err, stdout, stderr) =>
      err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
    ),
  );
}

let ready: UpReady;

describe('trustmesh up (the embedded default behind npm start)', () => {
  let dir: string;
  let up: ChildProcess;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'trustmesh-up-'));
    up = spawn(CLI[0]!, [...CLI.slice(1), 'up', '--dir', dir, '--json'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: up.stdout! }).once('line', resolve);
      up.once('exit', (code) => reject(new Error(`trustmesh up exited early with ${code}`)));
    });
    ready = JSON.parse(line) as UpReady;
  }, UP_READY_MS);

  afterAll(async () => {
    if (up.exitCode === null) up.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  it('starts nats-server, a mesh node and a ready filesystem broker, and writes a private session file', async () => {
    expect(ready).toMatchObject({ ok: true, brokerState: 'ready' });
    expect(ready.natsUrl).toMatch(/^nats:\/\/127\.0\.0\.1:\d+$/);
    expect(ready.sessionId).toMatch(/^s[A-Za-z0-9_-]{22}$/);
    expect(ready.policyVersion).toMatch(/^sha256:/);
    expect(alive(ready.natsPid) && alive(ready.nodePid) && alive(ready.brokerPid)).toBe(true);
    expect((await stat(ready.sessionFile)).mode & 0o077).toBe(0);
  });

  it(
    'serves the code-review grant to a stdio MCP client through the printed bridge command',
    async () => {
      const [command, ...args] = ready.bridge;
      const client = new Client({ name: 'e2e', version: '1.0.0' });
      await client.connect(new StdioClientTransport({ command: command!, args, stderr: 'inherit' }));
      try {
        const { tools } = await client.listTools();
        expect(tools.map((t) => t.name).sort()).toEqual([
          'filesystem.list_directory',
          'filesystem.read_file',
          'filesystem.read_text_file',
        ]);
        const source = await client.callTool({
          name: 'filesystem.read_text_file',
          arguments: { path: 'src/index.ts' },
        });
        expect(JSON.stringify(source.content)).toContain('import { greet }');
        await expect(
          client.callTool({ name: 'filesystem.read_text_file', arguments: { path: '.env' } }),
        ).rejects.toThrow(/DENY_EXCLUDED/);
      } finally {
        await client.close();
      }
    },
    STEP_MS,
  );

  it('refuses a client with no certificate, one from another CA, or an expired one at the TLS handshake', async () => {
    const pkiDir = join(dir, 'pki');
    const mesh = await loadPki(pkiDir);
    const caPem = await readFile(join(pkiDir, 'root.crt'), 'utf8');
    const stranger = await createMeshCa({ algorithm: 'ed25519', name: 'stranger' });
    const leaf = (issuer: typeof mesh, clock?: () => number) =>
      issueLeafCertificate(issuer.intermediate, {
        kind: 'agent',
        name: 'intruder',
        algorithm: 'ed25519',
        clock,
      });
    const attempt = (cert: IssuedCertificate | undefined) => {
      const tls: TlsOptions = cert ? natsClientTls({ caPem, ...cert }) : { ca: caPem };
      return connect({ servers: ready.natsUrl, reconnect: false, timeout: 5_000, tls });
    };
    const expired = await leaf(mesh, () => Date.now() - 3 * HOUR);
    expect(Date.parse(expired.notAfter)).toBeLessThan(Date.now());
    await expect(attempt(undefined)).rejects.toMatchObject(TLS_ALERT);
    await expect(attempt(await leaf(stranger))).rejects.toMatchObject(TLS_ALERT);
    await expect(attempt(expired)).rejects.toMatchObject(TLS_ALERT);
    // A valid certificate gets past TLS, and operator mode still wants a NATS user.
    await expect(attempt(await leaf(mesh))).rejects.toThrow(/Authorization/);
  });

  it('gives the session its own client certificate (agent, Ed25519) that ends with the session', async () => {
    const session = await readSessionFile(ready.sessionFile);
    const cert = parseCertificate(session.tls!.chainPem, 'session certificate');
    expect(cert.subject).toContain(`CN=${session.sessionId}, OU=agent`);
    expect(cert.publicKey.algorithm.name).toBe('Ed25519');
    // up creates its session with the default one-hour lifetime.
    expect(cert.notAfter.getTime()).toBeLessThanOrEqual(Date.now() + HOUR);
  });

  it(
    'tells the holder of a session file from before mutual TLS to create a new session',
    async () => {
      const { tls: _tls, ...old } = await readSessionFile(ready.sessionFile);
      const path = join(dir, 'session-before-mtls.json');
      await writeSessionFile(path, old);
      const failure = await runCli('bridge', '--session', path).then(
        () => undefined,
        (err: Error) => err,
      );
      expect(failure?.message).toContain('[ERR_BRIDGE_CONNECT]');
      expect(failure?.message).toMatch(/holds no client certificate.*'trustmesh session create'/);
    },
    STEP_MS,
  );

  it('runs nats-server in operator mode: the session connects as its own NATS user', async () => {
    const session = await readSessionFile(ready.sessionFile);
    expect(session.natsCreds).toContain('BEGIN NATS USER JWT');
    const agent = await connectAgent(session);
    try {
      await expect(agent.request('tm.tool.filesystem.tools/list', '', { timeout: 2_000 })).rejects.toThrow();
    } finally {
      await agent.close();
    }
  });

  it(
    'sessions suspend: the server closes the agent connection and refuses its credentials',
    async () => {
      const session = await readSessionFile(ready.sessionFile);
      const agent = await connectAgent(session);
      const dropped = (async () => {
        for await (const status of agent.status()) if (status.type === 'error') return status.error.message;
        return 'closed without an error';
      })();
      await runCli(
        'sessions',
        'suspend',
        session.sessionId,
        '--dir',
        dir,
        '--reason',
        'e2e',
        '--operator',
        'e2e',
      );
      await expect(dropped).resolves.toMatch(/Revoked/);
      await agent.closed();
      await expect(connectAgent(session)).rejects.toThrow(/Authorization/);
    },
    STEP_MS,
  );

  it('stops nats-server, the node and the broker on SIGTERM and exits 0', async () => {
    const exited = new Promise<number | null>((resolve) => up.once('exit', (code) => resolve(code)));
    up.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(alive(ready.natsPid)).toBe(false);
    expect(alive(ready.nodePid)).toBe(false);
    expect(alive(ready.brokerPid)).toBe(false);
  });
});
