import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it, onTestFinished } from 'vitest';

const LAUNCHER = join(import.meta.dirname, '../../../deploy/netns/launcher.mjs');

/** Network namespaces need root and iproute2; elsewhere (CI without CAP_NET_ADMIN) this is skipped. */
const canRun = process.getuid?.() === 0 && spawnSync('ip', ['netns', 'list']).status === 0;

interface Ready {
  servers: { name: string; namespace: string; url: string; monitorUrl: string }[];
  nodes: { name: string; namespace: string; policyVersion: string }[];
  policyVersion: string;
}

interface Routez {
  num_routes: number;
  routes: { remote_id: string; ip: string }[];
}

function namespaces(): string {
  return spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout;
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

describe.skipIf(!canRun)('deploy/netns/launcher (needs root and ip netns)', () => {
  it('runs 3 nats-servers and 3 nodes in their own namespaces, clustered over the network, and removes them on SIGTERM', async () => {
    const child = spawn(process.execPath, [LAUNCHER], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    onTestFinished(() => void child.kill('SIGTERM'));
    const ready = await new Promise<Ready>((resolve, reject) => {
      createInterface({ input: child.stdout! }).once('line', (line) => resolve(JSON.parse(line) as Ready));
      child.once('exit', (code) => reject(new Error(`the launcher exited with ${code}: ${stderr}`)));
    });

    expect(new Set(ready.servers.map((s) => s.namespace)).size).toBe(3);
    for (const server of ready.servers) expect(namespaces()).toContain(server.namespace);
    const ids = await Promise.all(
      ready.servers.map(
        async (s) =>
          ((await (await fetch(`${s.monitorUrl}/varz`)).json()) as { server_id: string }).server_id,
      ),
    );
    for (const [i, server] of ready.servers.entries()) {
      const routez = (await (await fetch(`${server.monitorUrl}/routez`)).json()) as Routez;
      const peers = ready.servers.filter((_, j) => j !== i);
      expect(routez.routes.map((r) => r.remote_id).sort()).toEqual(ids.filter((_, j) => j !== i).sort());
      // Each route runs between two namespaces' own addresses, not over loopback.
      for (const route of routez.routes)
        expect(peers.map((p) => new URL(p.url).hostname)).toContain(route.ip);
      const varz = (await (await fetch(`${server.monitorUrl}/varz`)).json()) as {
        cluster: { tls_verify: boolean };
      };
      expect(varz.cluster.tls_verify).toBe(true);
    }
    expect(ready.nodes.map((n) => n.policyVersion)).toEqual([
      ready.policyVersion,
      ready.policyVersion,
      ready.policyVersion,
    ]);

    child.kill('SIGTERM');
    expect(await exitOf(child)).toBe(0);
    for (const server of ready.servers) expect(namespaces()).not.toContain(server.namespace);
  }, 300_000);
});
