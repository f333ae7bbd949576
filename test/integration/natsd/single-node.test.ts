import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { describe, expect, it, onTestFinished } from 'vitest';
import { NatsServerStartError, startNatsServer } from '../../../src/natsd/index.js';
import { NatsHarness, startNats } from '../../support/nats-harness.js';
import { isAlive } from './process.js';

describe('single nats-server node', () => {
  it('serves request/reply and JetStream, and stop() removes the process and its directory', async () => {
    const server = await startNats();
    expect(server.url).toMatch(/^nats:\/\/127\.0\.0\.1:\d+$/);
    expect(isAlive(server.pid)).toBe(true);

    const nc = await connect({ servers: server.url });
    onTestFinished(() => nc.close());
    nc.subscribe('echo', {
      callback: (_err, msg) => {
        msg.respond(`re: ${msg.string()}`);
      },
    });
    expect((await nc.request('echo', 'ping', { timeout: 2_000 })).string()).toBe('re: ping');

    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'SINGLE', subjects: ['single.>'] });
    const ack = await jetstream(nc).publish('single.one', 'hello');
    expect(ack).toMatchObject({ stream: 'SINGLE', seq: 1 });
    expect(existsSync(join(server.dir, 'jetstream'))).toBe(true);

    await nc.close();
    await server.stop();
    expect(isAlive(server.pid)).toBe(false);
    expect(existsSync(server.dir)).toBe(false);
    await server.stop();
  });

  it('restart() comes back on the same ports with its JetStream data', async () => {
    const server = await startNats();
    const { port, pid, monitorUrl } = server;
    const before = await connect({ servers: server.url });
    await jetstreamManager(before).then((jsm) => jsm.streams.add({ name: 'KEPT', subjects: ['kept.>'] }));
    await jetstream(before).publish('kept.one', 'survives');
    await before.close();

    expect(await server.kill()).toMatchObject({ signal: 'SIGKILL' });
    expect(isAlive(pid)).toBe(false);
    await server.restart();
    expect([server.port, server.monitorUrl]).toEqual([port, monitorUrl]);
    expect(server.pid).not.toBe(pid);

    const after = await connect({ servers: server.url });
    onTestFinished(() => after.close());
    const jsm = await jetstreamManager(after);
    expect((await jsm.streams.getMessage('KEPT', { seq: 1 }))?.string()).toBe('survives');
  });

  it('stop() ends a paused server gracefully, without waiting for SIGKILL', async () => {
    const server = await startNats({ jetstream: false });
    server.pause();
    await server.stop();
    expect(isAlive(server.pid)).toBe(false);
    // It handled SIGTERM itself (nats-server exits with a code), so stop() resumed it first.
    expect(await server.exited).toMatchObject({ signal: null });
  });

  it('fails fast with ERR_NATS_SERVER_START naming the port when the client port is taken', async () => {
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => new Promise<void>((resolve) => squatter.close(() => resolve())));
    const port = (squatter.address() as { port: number }).port;
    const dir = await mkdtemp(join(tmpdir(), 'trustmesh-nats-busy-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));

    const failure = await startNatsServer({ dir, port }).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(NatsServerStartError);
    expect(failure).toMatchObject({ code: 'ERR_NATS_SERVER_START', busyPort: port });
    expect((failure as Error).message).toContain(`port ${port} on 127.0.0.1 is already in use`);
    expect((failure as Error).message).toMatch(/address already in use/);
    expect((failure as Error).message).toContain(join(dir, 'nats-server.log'));
  });

  it('does not take another server answering on its monitor port for itself', async () => {
    const first = await startNats({ jetstream: false });
    const monitorPort = Number(new URL(first.monitorUrl).port);
    const dir = await mkdtemp(join(tmpdir(), 'trustmesh-nats-twin-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));

    await expect(startNatsServer({ dir, monitorPort, jetstream: false })).rejects.toMatchObject({
      code: 'ERR_NATS_SERVER_START',
      busyPort: monitorPort,
    });
    expect(isAlive(first.pid)).toBe(true);
  });

  it('fails with ERR_NATS_SERVER_START and says what to install when the binary is missing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'trustmesh-nats-nobin-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    await expect(startNatsServer({ dir, binary: join(dir, 'no-such-nats-server') })).rejects.toMatchObject({
      code: 'ERR_NATS_SERVER_START',
      message: expect.stringContaining('apt-get install nats-server'),
    });
  });
});

describe('cleanup when a test fails', () => {
  it('stops every server a failed scenario started once the registered cleanup runs', async () => {
    const registry = new NatsHarness();
    let pid = -1;
    let dir = '';
    const scenario = async () => {
      const server = await registry.startNats({ jetstream: false });
      ({ pid, dir } = server);
      throw new Error('simulated test failure');
    };
    await expect(scenario()).rejects.toThrow('simulated test failure');
    expect(isAlive(pid)).toBe(true);

    await registry.cleanup();
    expect(isAlive(pid)).toBe(false);
    expect(existsSync(dir)).toBe(false);
  });

  const leftBehind = { pid: -1, dir: '' };
  it.fails('a test body that throws after starting a server (expected to fail)', async () => {
    const server = await startNats({ jetstream: false });
    Object.assign(leftBehind, { pid: server.pid, dir: server.dir });
    throw new Error('simulated test failure');
  });

  it('found the failed test’s server stopped and its directory removed', () => {
    expect(leftBehind.pid).toBeGreaterThan(0);
    expect(isAlive(leftBehind.pid)).toBe(false);
    expect(existsSync(leftBehind.dir)).toBe(false);
  });
});
