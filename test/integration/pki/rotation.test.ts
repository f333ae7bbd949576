import { once } from 'node:events';
import { connect as tcpConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { type IssuedCertificate, issueLeafCertificate } from '../../../src/pki/certs/index.js';
import { rotateNatsServerCertificate } from '../../../src/pki/tls/index.js';
import { startNats } from '../../support/nats-harness.js';
import { connectTls, type TlsFixture, tlsFixture } from './tls-fixture.js';

const CALLS = 1_000;
const IN_FLIGHT = 16;

/** Serial of the certificate a new handshake on `port` is answered with (nats-server sends INFO in clear first). */
async function presentedSerial(
  port: number,
  fixture: TlsFixture,
  client: IssuedCertificate,
): Promise<string> {
  const socket = tcpConnect(port, '127.0.0.1');
  await once(socket, 'data');
  const secure = tlsConnect({
    socket,
    servername: 'localhost',
    ca: fixture.ca.root.cert.toString('pem'),
    cert: client.chainPem,
    key: client.keyPem,
  });
  await once(secure, 'secureConnect');
  const serial = secure.getPeerCertificate().serialNumber.toLowerCase();
  secure.destroy();
  return serial;
}

describe('certificate rotation on a running nats-server', () => {
  it('rotates the server certificate and key under load with zero failed calls', async () => {
    const fixture = await tlsFixture('p256');
    const server = await startNats({ jetstream: false, extraConfig: fixture.extraConfig });
    const responder = await connectTls(server.url, fixture, await fixture.clientCert('broker-1'));
    const requester = await connectTls(server.url, fixture, await fixture.clientCert('node-1'));
    responder.subscribe('tm.rpc', {
      callback: (_, msg) => {
        msg.respond(msg.data);
      },
    });
    await responder.flush();
    expect(await presentedSerial(server.port, fixture, await fixture.clientCert('probe'))).toBe(
      fixture.server.serial,
    );

    let issued = 0;
    let completed = 0;
    let completedAfterRotation = 0;
    const failures: unknown[] = [];
    let rotated = false;
    let rotation: Promise<IssuedCertificate> | undefined;
    const rotate = async (): Promise<IssuedCertificate> => {
      const next = await issueLeafCertificate(fixture.ca.intermediate, {
        kind: 'nats-server',
        name: 'nats-1',
        sans: ['dns:localhost', 'ip:127.0.0.1'],
      });
      await rotateNatsServerCertificate(server, fixture.files, next);
      rotated = true;
      return next;
    };
    const worker = async (): Promise<void> => {
      // Keeps calling until the quota is met and the rotation is over, so calls span the reload.
      while (issued < CALLS || !rotated) {
        const n = issued++;
        try {
          const reply = await requester.request('tm.rpc', `call-${n}`, { timeout: 5_000 });
          if (reply.string() !== `call-${n}`) throw new Error(`call ${n} got '${reply.string()}'`);
          completed++;
          if (rotated) completedAfterRotation++;
        } catch (err) {
          failures.push(err);
        }
        if (completed === 100) rotation ??= rotate();
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    const next = await (rotation ?? rotate());

    expect(failures).toEqual([]);
    expect(completed).toBeGreaterThanOrEqual(CALLS);
    expect(completedAfterRotation).toBeGreaterThan(0);
    expect(requester.isClosed() || responder.isClosed()).toBe(false);
    expect(next.serial).not.toBe(fixture.server.serial);
    const renewedClient = await fixture.clientCert('node-2');
    expect(await presentedSerial(server.port, fixture, renewedClient)).toBe(next.serial);
    const late = await connectTls(server.url, fixture, renewedClient);
    expect((await late.request('tm.rpc', 'after rotation')).string()).toBe('after rotation');
  });
});
