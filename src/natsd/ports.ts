import { createServer, type Server } from 'node:net';

/**
 * Reserves `count` distinct free TCP ports on `host` by binding to port 0, then releases them.
 * All probes stay open until every port is known, so one call never returns the same port twice.
 * Another process may still grab a port before nats-server binds it: callers retry on NatsServerStartError.busyPort.
 */
export async function findFreePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const probes: Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) {
      const probe = createServer();
      probes.push(probe);
      ports.push(await listenOnFreePort(probe, host));
    }
    return ports;
  } finally {
    await Promise.all(probes.map((probe) => new Promise<void>((resolve) => probe.close(() => resolve()))));
  }
}

function listenOnFreePort(probe: Server, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    probe.once('error', reject);
    probe.listen({ host, port: 0, exclusive: true }, () => {
      const address = probe.address();
      if (address && typeof address === 'object') resolve(address.port);
      else reject(new Error(`could not read the port bound on ${host}`));
    });
  });
}
