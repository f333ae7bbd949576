import { type Clock, systemClock } from '../clock.js';
import { TrustmeshError } from '../errors.js';
import { pollUntil, readMonitor } from './monitor.js';
import type { NatsServerProcess } from './server.js';

/** A cluster did not form: routes missing or no JetStream meta leader within the deadline. */
export class NatsClusterNotReadyError extends TrustmeshError {
  constructor(message: string) {
    super('ERR_NATS_CLUSTER_NOT_READY', message);
  }
}

export interface ClusterReadyOptions {
  /** @default 20_000 */
  timeoutMs?: number;
  /** Also wait until every node knows the JetStream meta leader. @default true */
  jetstream?: boolean;
  clock?: Clock;
}

interface Varz {
  server_id: string;
}
interface Routez {
  routes?: { remote_id: string }[] | null;
}
interface Jsz {
  meta_cluster?: { leader?: string };
}

/**
 * Resolves once every node has a route to the current run of every other node (restarted nodes get
 * a new server id, so stale routes do not count) and, with JetStream, every node knows the meta leader.
 */
export async function waitForClusterReady(
  servers: readonly Pick<NatsServerProcess, 'monitorUrl' | 'serverName'>[],
  options: ClusterReadyOptions = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  let missing = 'no node answered its monitoring port';
  const ready = await pollUntil(
    async () => {
      const ids = await Promise.all(servers.map((s) => readMonitor<Varz>(s.monitorUrl, '/varz')));
      for (const [i, server] of servers.entries()) {
        const others = new Set(ids.filter((_, j) => j !== i).map((id) => id?.body.server_id));
        const routez = await readMonitor<Routez>(server.monitorUrl, '/routez');
        const routed = new Set(routez?.body.routes?.map((route) => route.remote_id));
        if ([...others].some((id) => id === undefined || !routed.has(id))) {
          missing = `'${server.serverName}' is not yet routed to all ${servers.length - 1} other nodes`;
          return undefined;
        }
        if (options.jetstream === false) continue;
        const jsz = await readMonitor<Jsz>(server.monitorUrl, '/jsz');
        if (!jsz?.body.meta_cluster?.leader) {
          missing = `'${server.serverName}' knows no JetStream meta leader`;
          return undefined;
        }
      }
      return true;
    },
    { timeoutMs, clock: options.clock ?? systemClock },
  );
  if (!ready)
    throw new NatsClusterNotReadyError(
      `The nats-server cluster did not form within ${timeoutMs} ms: ${missing}. ` +
        "Check that node's log in its directory (routes, cluster name, JetStream errors), then try again.",
    );
}
