import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { describe, expect, it, onTestFinished } from 'vitest';
import { initPki, pkiLayout } from '../../../src/pki/ca/index.js';
import {
  type IssuedCertificate,
  issueToStore,
  parseCertificate,
  type RenewalTimer,
} from '../../../src/pki/certs/index.js';
import {
  type ClientTlsFiles,
  natsClientTlsFiles,
  renderNatsTlsBlock,
  startLeafRenewal,
} from '../../../src/pki/tls/index.js';
import { startNats } from '../../support/nats-harness.js';

interface Connz {
  connections: { name?: string; tls_peer_certs?: { cert_sha256: string }[] }[];
}

/** A timer the test fires by hand, so the renewal happens exactly when the test says. */
function manualTimer(): RenewalTimer & { fire(): void } {
  const pending: (() => void)[] = [];
  return {
    set: (callback) => pending.push(callback),
    clear: () => pending.splice(0),
    fire: () => pending.shift()?.(),
  };
}

/** SHA-256 of the certificate the server saw in the named client's handshake. */
async function presented(monitorUrl: string, name: string): Promise<string | undefined> {
  const connz = (await (await fetch(`${monitorUrl}/connz?auth=true`)).json()) as Connz;
  return connz.connections.find((c) => c.name === name)?.tls_peer_certs?.[0]?.cert_sha256;
}

async function fingerprint(certFile: string): Promise<string> {
  const cert = parseCertificate(await readFile(certFile, 'utf8'), certFile);
  return Buffer.from(await cert.getThumbprint('SHA-256')).toString('hex');
}

describe('a client leaf renewed on disk', () => {
  it('keeps the live connection and is what the next connection presents', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'trustmesh-renewal-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const pkiDir = join(dir, 'pki');
    const ca = await initPki(pkiDir, { algorithm: 'ed25519' });
    const layout = pkiLayout(pkiDir);
    const issue = (kind: 'nats-server' | 'node', name: string, sans: string[] = []) =>
      issueToStore(layout, ca.intermediate, { kind, name, sans, ttlMs: 60_000, algorithm: 'ed25519' });
    const server = await issue('nats-server', 'local', ['dns:localhost', 'ip:127.0.0.1']);
    const node = await issue('node', 'local');
    const files: ClientTlsFiles = { caFile: layout.rootCert, certFile: node.certFile, keyFile: node.keyFile };
    const nats = await startNats({
      jetstream: false,
      extraConfig: renderNatsTlsBlock({ ...server, caFile: layout.rootCert }),
    });
    const nc = await connect({
      servers: nats.url,
      name: 'node-local',
      tls: natsClientTlsFiles(files),
      reconnectTimeWait: 50,
    });
    onTestFinished(() => nc.close());
    expect(await presented(nats.monitorUrl, 'node-local')).toBe(node.fingerprint);

    const timer = manualTimer();
    const renewed: IssuedCertificate[] = [];
    const renewer = await startLeafRenewal({
      pkiDir,
      files,
      timer,
      clock: () => Date.parse(node.notAfter), // due: the timer's first firing renews
      onRenewed: (next) => renewed.push(next),
    });
    onTestFinished(() => renewer.stop());
    timer.fire();
    await expect.poll(() => renewed.length).toBe(1);
    const next = renewed[0]!;
    expect(next.serial).not.toBe(node.serial);
    expect(next.sans).toEqual(node.sans);
    expect(Date.parse(next.notAfter) - Date.parse(next.notBefore)).toBe(
      Date.parse(node.notAfter) - Date.parse(node.notBefore),
    );
    expect(await fingerprint(files.certFile)).toBe(next.fingerprint);
    expect((await readFile(files.keyFile, 'utf8')).length).toBeGreaterThan(0);

    // The live connection keeps its handshake and carries on.
    expect(await presented(nats.monitorUrl, 'node-local')).toBe(node.fingerprint);
    await nc.flush();

    // Its next connection reads the files again and presents the successor.
    const reconnected = (async () => {
      for await (const status of nc.status()) if (status.type === 'reconnect') return;
    })();
    await nc.reconnect();
    await reconnected;
    await expect.poll(() => presented(nats.monitorUrl, 'node-local')).toBe(next.fingerprint);
  });
});
