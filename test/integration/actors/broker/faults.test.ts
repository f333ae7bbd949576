import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { describe, expect, it, onTestFinished } from 'vitest';
import { FilePinStore, ToolBroker } from '../../../../src/actors/broker/index.js';
import { CapabilityMethod } from '../../../../src/actors/capability/index.js';
import { createGithubServer } from '../../../fixtures/mcp/github-server.js';
import { fixtureCommand } from '../../../fixtures/mcp/servers.js';
import {
  Caller,
  codeOf,
  fixtureUpstream,
  natsFixture,
  PKI,
  startBroker,
  stateDir,
  TRUST,
  textOf,
} from './helpers.js';

describe('upstream failures', () => {
  it('answers a call cut short by the server dying with a clear error, then reconnects', async () => {
    const nc = await natsFixture();
    const broker = await startBroker(nc, { server: 'faulty', upstream: fixtureUpstream('faulty') });
    const caller = new Caller(nc, 'faulty');
    const pid = Number(textOf(await caller.callTool('pid', {})));

    const started = join(await stateDir(), 'started');
    const hanging = caller.callTool('hang', { started });
    await expect.poll(() => existsSync(started), { timeout: 15_000 }).toBe(true);
    process.kill(pid, 'SIGKILL');
    const answer = await hanging;
    expect(codeOf(answer)).toBe('ERR_BROKER_UPSTREAM_EXITED');
    expect('error' in answer && answer.error.message).toMatch(/went away during the call.*reconnecting/);

    await broker.waitForState(['ready'], 15_000);
    expect(textOf(await caller.callTool('echo', { text: 'back' }))).toBe('back');
    expect(Number(textOf(await caller.callTool('pid', {})))).not.toBe(pid);
  });

  it('refuses an unknown tool, malformed arguments and an oversize response, each with its own code', async () => {
    const nc = await natsFixture();
    await startBroker(nc, {
      server: 'faulty',
      upstream: fixtureUpstream('faulty'),
      maxResponseBytes: 64 * 1024,
    });
    const caller = new Caller(nc, 'faulty');

    const unknown = await caller.callTool('format_disk', {});
    expect(codeOf(unknown)).toBe('ERR_BROKER_UNKNOWN_TOOL');
    expect('error' in unknown && unknown.error.message).toContain('"format_disk"');

    const malformed = await caller.callTool('echo', { text: 5 });
    expect(codeOf(malformed)).toBe('ERR_BROKER_INVALID_ARGUMENTS');
    expect('error' in malformed && malformed.error.message).toMatch(/faulty\.echo.*text/);

    const oversize = await caller.callTool('big', { bytes: 100_000 });
    expect(codeOf(oversize)).toBe('ERR_BROKER_RESPONSE_TOO_LARGE');
    expect('error' in oversize && oversize.error.message).toContain('maxResponseBytes');
    expect(textOf(await caller.callTool('big', { bytes: 1_000 }))).toHaveLength(1_000);
  });

  it("passes a server's JSON-RPC error on as ERR_BROKER_UPSTREAM_ERROR", async () => {
    const nc = await natsFixture();
    await startBroker(nc, { server: 'faulty', upstream: fixtureUpstream('faulty') });
    const caller = new Caller(nc, 'faulty');
    const uri = 'file:///etc/hostname';
    const response = await caller.send({
      capability: caller.mint(uri, {}, { method: CapabilityMethod.ResourcesRead }),
      method: CapabilityMethod.ResourcesRead,
      params: { uri },
    });
    expect(codeOf(response)).toBe('ERR_BROKER_UPSTREAM_ERROR');
    expect('error' in response && response.error.message).toMatch(
      /faulty \(resources\/read .*\) refused the call/,
    );
  });

  it('gives up on a server that never starts after the retry budget, and says so in the catalogue', async () => {
    const nc = await natsFixture();
    const broker = await startBroker(nc, {
      server: 'broken',
      upstream: { kind: 'stdio', command: process.execPath, args: ['-e', 'process.exit(4)'] },
      retry: { baseMs: 20, maxMs: 40, maxAttempts: 2 },
      connectTimeoutMs: 5_000,
    });
    // 'failed' alone is also the pause between retries; the catalogue must say failed once it gave up.
    await broker.waitUntilGaveUp(15_000);
    const catalogue = await new Caller(nc, 'broken').catalogue();
    expect(catalogue.state).toBe('failed');
    expect(catalogue.tools).toEqual([]);
  });
});

describe('broker options', () => {
  it('refuses a command that is not on the allowlist before spawning anything', async () => {
    const nc = await natsFixture();
    const identity = await PKI.identity('broker', 'faulty');
    const build = () =>
      new ToolBroker({
        connection: nc,
        server: 'faulty',
        upstream: { kind: 'stdio', command: '/bin/sh', args: ['-c', 'touch /tmp/pwned'] },
        identity,
        trust: TRUST,
        pinStore: new FilePinStore(tmpdir()),
        allowedCommands: ['node'],
      });
    expect(build).toThrow(expect.objectContaining({ code: 'ERR_BROKER_COMMAND_NOT_ALLOWED' }));
  });

  it('refuses a server name that could shadow or widen subjects', async () => {
    const nc = await natsFixture();
    const identity = await PKI.identity('broker', 'faulty');
    for (const server of ['git.hub', 'a*', '>', '']) {
      expect(
        () =>
          new ToolBroker({
            connection: nc,
            server,
            upstream: { kind: 'stdio', ...fixtureCommand('faulty') },
            identity,
            trust: TRUST,
            pinStore: new FilePinStore(tmpdir()),
            allowedCommands: ['node'],
          }),
      ).toThrow(expect.objectContaining({ code: 'ERR_BROKER_INVALID_SERVER_NAME' }));
    }
  });
});

describe('Streamable HTTP upstream', () => {
  it('serves the GitHub-like fixture by URL', async () => {
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: () => crypto.randomUUID() });
    await createGithubServer().connect(transport);
    const http: Server = createServer((req, res) => void transport.handleRequest(req, res));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => new Promise<void>((resolve) => http.close(() => resolve())));
    const { port } = http.address() as AddressInfo;

    const nc = await natsFixture();
    await startBroker(nc, {
      server: 'github',
      upstream: { kind: 'http', url: `http://127.0.0.1:${port}/mcp` },
    });
    const caller = new Caller(nc, 'github');
    expect((await caller.catalogue()).tools.map((tool) => tool.name)).toEqual([
      'github.create_comment',
      'github.get_pull_request',
      'github.merge_pull_request',
    ]);
    const pull = JSON.parse(
      textOf(await caller.callTool('get_pull_request', { repo: 'acme/api', number: 1 })),
    );
    expect(pull).toMatchObject({ title: 'Fix the login redirect', state: 'open' });
  });
});
