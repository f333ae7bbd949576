import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { describe, expect, it, onTestFinished } from 'vitest';
import { parse } from 'yaml';
import { buildProgram } from '../../../src/cli/main.js';
import { renderDeployment } from '../../../src/deploy/index.js';
import { initPki } from '../../../src/pki/index.js';

const DEPLOY = join(import.meta.dirname, '../../../deploy');

/** The trustmesh arguments of a unit's ExecStart, continuation lines joined. */
async function execStart(unit: string): Promise<string[]> {
  const text = (await readFile(join(DEPLOY, 'systemd', unit), 'utf8')).replace(/\\\n\s*/g, ' ');
  const line = text.split('\n').find((l) => l.startsWith('ExecStart='))!;
  return line.replace('ExecStart=/usr/bin/trustmesh ', '').split(/\s+/);
}

function command(path: string[]): Command {
  let current: Command = buildProgram();
  for (const name of path) current = current.commands.find((c) => c.name() === name)!;
  return current;
}

async function envKeys(path: string): Promise<string[]> {
  return (await readFile(path, 'utf8')).split('\n').flatMap((l) => /^([A-Z_]+)=/.exec(l)?.[1] ?? []);
}

describe('deploy/ files', () => {
  it.each([
    ['trustmesh-node@.service', ['node'], 'node-1/node.env', []],
    [
      'trustmesh-broker@.service',
      ['broker', 'run'],
      'broker-filesystem/broker.env',
      ['TRUSTMESH_BROKER_ALLOW', 'TRUSTMESH_BROKER_COMMAND'],
    ],
  ])('%s passes only flags the CLI has, from variables its env files set', async (unit, path, env, local) => {
    const dir = await mkdtemp(join(tmpdir(), 'trustmesh-units-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    await initPki(join(dir, 'pki'), { algorithm: 'ed25519' });
    await renderDeployment({
      pkiDir: join(dir, 'pki'),
      authDir: join(dir, 'auth'),
      out: join(dir, 'out'),
      hosts: [{ host: 'nats-1.mesh.internal' }],
      brokers: ['filesystem'],
    });
    const args = await execStart(unit);
    const known = command(path).options.map((o) => o.long);
    const flags = args
      .slice(0, args.indexOf('--') === -1 ? undefined : args.indexOf('--'))
      .filter((a) => a.startsWith('--'));
    expect(flags.length).toBeGreaterThan(5);
    for (const flag of flags) expect(known).toContain(flag);
    const used = [...args.join(' ').matchAll(/\$\{?([A-Z_]+)\}?/g)].map((m) => m[1]!);
    const available = [...(await envKeys(join(dir, 'out', env))), ...local];
    for (const name of used) expect(available).toContain(name);
  });

  it('the compose file runs a collector that sends traces to Jaeger', async () => {
    const compose = parse(await readFile(join(DEPLOY, 'compose', 'docker-compose.yml'), 'utf8'));
    expect(Object.keys(compose.services).sort()).toEqual(['jaeger', 'otel-collector']);
    const collector = parse(await readFile(join(DEPLOY, 'compose', 'otel-collector.yaml'), 'utf8'));
    expect(collector.receivers.otlp.protocols.http.endpoint).toBe('0.0.0.0:4318');
    expect(collector.service.pipelines.traces.exporters).toEqual(['otlp/jaeger']);
    expect(collector.exporters['otlp/jaeger'].endpoint).toBe('jaeger:4317');
  });
});
