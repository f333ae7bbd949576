/**
 * Real nats-server processes for tests, on free loopback ports, each in its own temp directory.
 *
 * Usage: call `startNats()` / `startNatsCluster()` in a test, `beforeEach` or `beforeAll`. Nothing to
 * clean up by hand: a server started inside a test (or its `beforeEach`) is stopped and its directory
 * removed when that test finishes, passed or failed; one started in `beforeAll` or at file level when
 * the file's tests are done (the harness registers that `afterAll` itself when imported). If the test
 * process dies first, the servers are killed on exit. Fault tests use `kill()`, `pause()`/`resume()`
 * and `restart()` (same ports, same store) on any node; `stop()` also deletes the node's directory.
 *
 * The binary is $TRUSTMESH_NATS_SERVER (set by the global setup) or `nats-server` from PATH.
 */
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, onTestFinished, TestRunner } from 'vitest';
import {
  findFreePorts,
  type NatsServerProcess,
  NatsServerStartError,
  startNatsServer,
  waitForClusterReady,
} from '../../src/natsd/index.js';

export interface NatsNodeOptions {
  /** @default true */
  jetstream?: boolean;
  /** Raw nats-server config appended to every node's file. @default '' */
  extraConfig?: string;
}

export interface NatsCluster {
  servers: NatsServerProcess[];
  urls: string[];
  /** Stops every node and removes their directories; idempotent. */
  stop(): Promise<void>;
  /** Resolves once all nodes are routed to each other and know the JetStream meta leader. */
  waitForRoutes(): Promise<void>;
}

interface Owned {
  dir: string;
  stop(): Promise<void>;
}

// Attempts when a route port picked for the cluster was taken before its node bound it.
const CLUSTER_PORT_ATTEMPTS = 3;

/** Owns every server it starts and its directory; `cleanup()` stops and removes them all. */
export class NatsHarness {
  readonly #owned = new Set<Owned>();
  #exitHookInstalled = false;

  async startNats(options: NatsNodeOptions = {}): Promise<NatsServerProcess> {
    const dir = await mkdtemp(join(tmpdir(), 'trustmesh-nats-'));
    const server = await startNatsServer({ ...nodeOptions(options), dir, removeDirOnStop: true }).catch(
      async (err: unknown) => {
        await rm(dir, { recursive: true, force: true });
        throw err;
      },
    );
    return this.#own({ dir, stop: () => server.stop() }, server);
  }

  async startNatsCluster(size = 3, options: NatsNodeOptions = {}): Promise<NatsCluster> {
    if (!Number.isInteger(size) || size < 1)
      throw new RangeError(`cluster size must be 1 or more, got ${size}`);
    const root = await mkdtemp(join(tmpdir(), 'trustmesh-nats-cluster-'));
    const servers = await startNodes(root, size, options).catch(async (err: unknown) => {
      await rm(root, { recursive: true, force: true });
      throw err;
    });
    let stopping: Promise<void> | undefined;
    const cluster: NatsCluster = {
      servers,
      urls: servers.map((s) => s.url),
      stop: () => {
        stopping ??= Promise.allSettled(servers.map((s) => s.stop())).then(() =>
          rm(root, { recursive: true, force: true }),
        );
        return stopping;
      },
      waitForRoutes: () => waitForClusterReady(servers),
    };
    this.#own({ dir: root, stop: cluster.stop }, cluster);
    await cluster.waitForRoutes().catch(async (err: unknown) => {
      await cluster.stop();
      throw err;
    });
    return cluster;
  }

  /** Stops every server this harness started and removes its directory; safe to call repeatedly. */
  async cleanup(): Promise<void> {
    const owned = [...this.#owned];
    this.#owned.clear();
    await Promise.allSettled(owned.map((o) => o.stop()));
  }

  #own<T>(owned: Owned, resource: T): T {
    this.#owned.add(owned);
    if (!this.#exitHookInstalled) {
      // Only called once a server has started, so this runs after the natsd exit hook killed them all.
      this.#exitHookInstalled = true;
      process.once('exit', () => {
        for (const { dir } of this.#owned) rmSync(dir, { recursive: true, force: true });
      });
    }
    return resource;
  }
}

async function startNodes(
  root: string,
  size: number,
  options: NatsNodeOptions,
): Promise<NatsServerProcess[]> {
  for (let attempt = 1; ; attempt++) {
    const routePorts = await findFreePorts(size);
    const routes = routePorts.map((port) => `nats-route://127.0.0.1:${port}`);
    const started = await Promise.allSettled(
      routePorts.map((port, i) =>
        startNatsServer({
          ...nodeOptions({ ...options, jetstream: true }),
          dir: join(root, `n${i + 1}`),
          serverName: `n${i + 1}`,
          cluster: { name: `tm-${basename(root)}`, port, routes: routes.filter((_, j) => j !== i) },
          removeDirOnStop: true,
        }),
      ),
    );
    const servers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const failure = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failure === undefined) return servers;
    await Promise.allSettled(servers.map((s) => s.stop()));
    const err: unknown = failure.reason;
    const lostRace = err instanceof NatsServerStartError && routePorts.includes(err.busyPort ?? -1);
    if (!lostRace || attempt >= CLUSTER_PORT_ATTEMPTS) throw err;
  }
}

function nodeOptions(options: NatsNodeOptions) {
  return { jetstream: options.jetstream ?? true, extraConfig: options.extraConfig ?? '' };
}

const harness = new NatsHarness();
afterAll(() => harness.cleanup());

/** Ties `resource` to the running test when there is one; otherwise the file-level afterAll owns it. */
function scoped<T extends { stop(): Promise<void> }>(resource: T): T {
  if (TestRunner.getCurrentTest()) onTestFinished(() => resource.stop());
  return resource;
}

/** One node (JetStream on unless told otherwise) in a fresh temp directory. */
export async function startNats(options?: NatsNodeOptions): Promise<NatsServerProcess> {
  return scoped(await harness.startNats(options));
}

/** `size` nodes, full-mesh routes, JetStream on every node; resolves once routed with a meta leader. */
export async function startNatsCluster(size = 3, options?: NatsNodeOptions): Promise<NatsCluster> {
  return scoped(await harness.startNatsCluster(size, options));
}
