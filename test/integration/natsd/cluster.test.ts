import { type JetStreamClient, jetstream, jetstreamManager, type PubAck } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { NatsServerProcess } from '../../../src/natsd/index.js';
import { pollUntil, readMonitor } from '../../../src/natsd/monitor.js';
import { type NatsCluster, startNatsCluster } from '../../support/nats-harness.js';
import { isAlive } from './process.js';

const WAIT_MS = 10_000;

describe('3-node nats-server cluster', () => {
  let cluster: NatsCluster;
  const connections: NatsConnection[] = [];

  beforeAll(async () => {
    cluster = await startNatsCluster(3);
  });
  afterAll(() => Promise.all(connections.map((nc) => nc.close())));

  async function connectTo(server: NatsServerProcess): Promise<NatsConnection> {
    // Only this node: a client must not fail over to prove anything about it.
    const nc = await connect({ servers: server.url, reconnect: false });
    connections.push(nc);
    return nc;
  }

  function serveEcho(nc: NatsConnection, subject: string): void {
    nc.subscribe(subject, {
      callback: (_err, msg) => {
        msg.respond(`${msg.string()} from ${nc.info?.server_name}`);
      },
    });
  }

  /** Retries until the subject's interest has crossed the routes, then returns the reply. */
  async function requestOnceRouted(nc: NatsConnection, subject: string): Promise<string | undefined> {
    return pollUntil(
      () =>
        nc.request(subject, 'ping', { timeout: 500 }).then(
          (m) => m.string(),
          () => undefined,
        ),
      {
        timeoutMs: WAIT_MS,
      },
    );
  }

  /**
   * Publishes until acknowledged: a starved CI machine can trigger a Raft election at any moment.
   * The message id makes a retried publish that was in fact stored come back as the same sequence.
   */
  function publishAcked(js: JetStreamClient, subject: string, data: string): Promise<PubAck | undefined> {
    return pollUntil(
      () => js.publish(subject, data, { msgID: subject, timeout: 2_000 }).catch(() => undefined),
      { timeoutMs: WAIT_MS },
    );
  }

  /** A node that leads neither the JetStream meta group nor `stream`, so losing it needs no election. */
  async function follower(stream: string): Promise<NatsServerProcess> {
    const jsm = await jetstreamManager(await connectTo(cluster.servers[0]!));
    const streamLeader = (await jsm.streams.info(stream)).cluster?.leader;
    const jsz = await readMonitor<{ meta_cluster?: { leader?: string } }>(
      cluster.servers[0]!.monitorUrl,
      '/jsz',
    );
    const leaders = [streamLeader, jsz?.body.meta_cluster?.leader];
    return cluster.servers.find((s) => !leaders.includes(s.serverName))!;
  }

  it('starts three routed nodes on distinct loopback ports', () => {
    expect(cluster.urls).toHaveLength(3);
    expect(new Set(cluster.servers.flatMap((s) => [s.port, s.clusterPort])).size).toBe(6);
    expect(cluster.urls.every((url) => url.startsWith('nats://127.0.0.1:'))).toBe(true);
  });

  it('delivers a publish on node 3 to a subscriber on node 1 over the routes', async () => {
    const [n1, , n3] = cluster.servers;
    const subscriber = await connectTo(n1!);
    const sub = subscriber.subscribe('routed.hello', { max: 1 });
    await subscriber.flush();
    const publisher = await connectTo(n3!);
    const received = (async () => {
      for await (const msg of sub) return msg.string();
    })();
    // Interest reaches node 3 asynchronously: publish until node 1 has it, within a deadline.
    const got = await pollUntil(
      async () => {
        publisher.publish('routed.hello', 'across the mesh');
        return Promise.race([received, new Promise<undefined>((r) => setTimeout(() => r(undefined), 100))]);
      },
      { timeoutMs: WAIT_MS },
    );
    expect(got).toBe('across the mesh');
  });

  it('replicates a stream three ways and acknowledges publishes', async () => {
    const nc = await connectTo(cluster.servers[0]!);
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.add({ name: 'R3', subjects: ['r3.>'], num_replicas: 3 });
    expect(info.cluster?.replicas).toHaveLength(2);
    expect(await publishAcked(jetstream(nc), 'r3.first', 'one')).toMatchObject({ stream: 'R3', seq: 1 });
  });

  it('keeps serving with a node killed, and the node rejoins on the same ports after restart()', async () => {
    const victim = await follower('R3');
    const survivor = cluster.servers.find((s) => s !== victim)!;
    const { port, clusterPort, pid } = victim;

    expect(await victim.kill()).toMatchObject({ signal: 'SIGKILL' });
    expect(isAlive(pid)).toBe(false);
    const js = jetstream(await connectTo(survivor));
    expect(await publishAcked(js, 'r3.while-down', 'two')).toMatchObject({ stream: 'R3', seq: 2 });

    await victim.restart();
    expect([victim.port, victim.clusterPort]).toEqual([port, clusterPort]);
    expect(victim.pid).not.toBe(pid);
    await cluster.waitForRoutes();
    // The restarted node kept its store and catches up on what it missed.
    const jsm = await jetstreamManager(await connectTo(victim));
    const caughtUp = await pollUntil(
      async () => {
        const info = await jsm.streams.info('R3').catch(() => undefined);
        const replicas = info?.cluster?.replicas ?? [];
        const mine = replicas.find((r) => r.name === victim.serverName);
        return mine?.current && !mine.lag ? mine : undefined;
      },
      { timeoutMs: WAIT_MS },
    );
    expect(caughtUp).toBeDefined();
    expect(await publishAcked(js, 'r3.after', 'three')).toMatchObject({ seq: 3 });
  });

  it('a paused node answers nothing until resumed', async () => {
    const paused = await follower('R3');
    const responder = cluster.servers.find((s) => s !== paused)!;
    serveEcho(await connectTo(responder), 'pause.echo');
    const client = await connectTo(paused);
    expect(await requestOnceRouted(client, 'pause.echo')).toBe(`ping from ${responder.serverName}`);

    paused.pause();
    onTestFinished(() => paused.resume());
    await expect(client.request('pause.echo', 'ping', { timeout: 300 })).rejects.toThrow(/timeout/i);

    paused.resume();
    expect((await client.request('pause.echo', 'ping', { timeout: 5_000 })).string()).toBe(
      `ping from ${responder.serverName}`,
    );
  });
});
