import { describe, expect, it } from 'vitest';
import { createMeshCa } from '../../../src/pki/ca/index.js';
import { issueLeafCertificate } from '../../../src/pki/certs/index.js';
import { startNats } from '../../support/nats-harness.js';
import { connectTls, tlsFixture } from './tls-fixture.js';

const HOUR = 3_600_000;
// The server aborts the handshake with a TLS alert (bad certificate), seen by OpenSSL on the client.
// Under TLS 1.3 the client may finish its side first and see the server reset the socket instead of
// reading the alert; either way no connection exists (the first test shows a valid one does).
const TLS_ALERT = { code: expect.stringMatching(/^(ERR_SSL_\w+|ECONNRESET|EPIPE)$/) };

describe.each(['p256', 'ed25519'] as const)('nats-server mutual TLS with %s keys', (algorithm) => {
  it('accepts a client certificate from the mesh CA and carries messages', async () => {
    const fixture = await tlsFixture(algorithm);
    const server = await startNats({ jetstream: false, extraConfig: fixture.extraConfig });
    const nc = await connectTls(server.url, fixture, await fixture.clientCert('node-a'));
    const sub = nc.subscribe('hello', { max: 1 });
    nc.publish('hello', 'over mTLS');
    for await (const msg of sub) expect(msg.string()).toBe('over mTLS');
    expect(nc.info?.tls_required).toBe(true);
  });

  it('refuses a client without a certificate at the handshake', async () => {
    const fixture = await tlsFixture(algorithm);
    const server = await startNats({ jetstream: false, extraConfig: fixture.extraConfig });
    await expect(connectTls(server.url, fixture, undefined)).rejects.toMatchObject(TLS_ALERT);
  });

  it('refuses a client certificate from another CA', async () => {
    const fixture = await tlsFixture(algorithm);
    const server = await startNats({ jetstream: false, extraConfig: fixture.extraConfig });
    const stranger = await createMeshCa({ algorithm, name: 'stranger' });
    const foreign = await issueLeafCertificate(stranger.intermediate, {
      kind: 'node',
      name: 'node-a',
      algorithm,
    });
    await expect(connectTls(server.url, fixture, foreign)).rejects.toMatchObject(TLS_ALERT);
  });

  it('refuses an expired client certificate', async () => {
    const fixture = await tlsFixture(algorithm);
    const server = await startNats({ jetstream: false, extraConfig: fixture.extraConfig });
    const expired = await fixture.clientCert('node-a', { clock: () => Date.now() - 3 * HOUR });
    expect(Date.parse(expired.notAfter)).toBeLessThan(Date.now());
    await expect(connectTls(server.url, fixture, expired)).rejects.toMatchObject(TLS_ALERT);
  });
});
