import { describe, expect, it } from 'vitest';
import {
  CertificateRenewer,
  type IssuedCertificate,
  type RenewalTimer,
} from '../../../../src/pki/certs/index.js';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-03-01T10:00:00Z');

/** A timer the test fires by hand; it records the delays the renewer asks for. */
function manualTimer() {
  const pending: { callback: () => void; delayMs: number }[] = [];
  const timer: RenewalTimer = {
    set: (callback, delayMs) => {
      const entry = { callback, delayMs };
      pending.push(entry);
      return entry;
    },
    clear: (handle) => {
      pending.splice(pending.indexOf(handle as (typeof pending)[number]), 1);
    },
  };
  return { timer, pending, fire: () => pending.shift()?.callback() };
}

function cert(notBefore: number, lifetime = HOUR): IssuedCertificate {
  return {
    notBefore: new Date(notBefore).toISOString(),
    notAfter: new Date(notBefore + lifetime).toISOString(),
    serial: `s${notBefore}`,
  } as IssuedCertificate;
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('CertificateRenewer', () => {
  it('renews at half-life plus jitter, then plans the next renewal from the new certificate', async () => {
    let now = T0;
    const { timer, pending, fire } = manualTimer();
    const installed: string[] = [];
    const renewer = new CertificateRenewer(cert(T0), {
      issue: async () => cert(now),
      onRenewed: (next) => {
        installed.push(next.serial);
      },
      clock: () => now,
      random: () => 1, // the latest point the jitter allows: half-life + 10 % of the lifetime
      timer,
    });
    expect(renewer.renewAt).toBe(T0 + 0.6 * HOUR);
    renewer.start();
    expect(pending.map((p) => p.delayMs)).toEqual([0.6 * HOUR]);

    now = T0 + 0.6 * HOUR;
    fire();
    await settle();
    expect(installed).toEqual([`s${T0 + 0.6 * HOUR}`]);
    expect(renewer.renewAt).toBe(now + 0.6 * HOUR);
    expect(pending.map((p) => p.delayMs)).toEqual([0.6 * HOUR]);
    renewer.stop();
    expect(pending).toEqual([]);
  });

  it('spreads renewals across ±10 % of the lifetime around half-life', () => {
    const at = (random: number) =>
      new CertificateRenewer(cert(T0), {
        issue: async () => cert(T0),
        onRenewed: () => {},
        random: () => random,
      }).renewAt;
    expect([at(0), at(0.5), at(0.999999)].map((t) => Math.round((t - T0) / 60_000))).toEqual([24, 30, 36]);
  });

  it('counts half-life from the issue time of a backdated certificate', () => {
    const minute = 60_000;
    // A 1 min leaf backdated by 1 min: due 30 s after issue, not at once.
    const renewer = new CertificateRenewer(cert(T0 - minute, 2 * minute), {
      issue: async () => cert(T0),
      onRenewed: () => {},
      random: () => 0.5,
      backdateMs: minute,
    });
    expect(renewer.renewAt).toBe(T0 + minute / 2);
  });

  it('waits again when woken early, and retries a failed renewal while the certificate is still valid', async () => {
    let now = T0;
    let failures = 1;
    const errors: unknown[] = [];
    const { timer, pending, fire } = manualTimer();
    const renewer = new CertificateRenewer(cert(T0), {
      issue: async () => {
        if (failures-- > 0) throw new Error('CA unreachable');
        return cert(now);
      },
      onRenewed: () => {},
      onError: (err) => errors.push(err),
      clock: () => now,
      random: () => 0.5,
      retryMs: 30_000,
      timer,
    });
    renewer.start();
    now = T0 + 0.25 * HOUR;
    fire();
    await settle();
    expect(pending.map((p) => p.delayMs)).toEqual([0.25 * HOUR]);

    now = T0 + 0.5 * HOUR;
    fire();
    await settle();
    expect(errors).toHaveLength(1);
    expect(pending.map((p) => p.delayMs)).toEqual([30_000]);

    now += 30_000;
    fire();
    await settle();
    expect(renewer.renewAt).toBe(now + 0.5 * HOUR);
  });

  it('rejects jitter that could push renewal past expiry', () => {
    expect(
      () =>
        new CertificateRenewer(cert(T0), { issue: async () => cert(T0), onRenewed: () => {}, jitter: 0.5 }),
    ).toThrow(/jitter/);
  });
});
