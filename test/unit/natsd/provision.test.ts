import { describe, expect, it } from 'vitest';
import { compareVersions, ensureNatsServer, findNatsServer } from '../../../src/natsd/provision.js';

describe('nats-server provisioning', () => {
  it('finds the provisioned nats-server and reads its version', async () => {
    const found = await findNatsServer();
    expect(found?.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(compareVersions(found!.version, '2.9.0')).toBeGreaterThanOrEqual(0);
  });

  it('reports exactly what to install when a named binary is missing', async () => {
    await expect(ensureNatsServer({ binary: '/nonexistent/nats-server' })).rejects.toMatchObject({
      code: 'ERR_NATS_SERVER_MISSING',
      message: expect.stringContaining('apt-get install nats-server'),
    });
  });

  it('orders versions numerically', () => {
    expect(compareVersions('2.10.0', '2.9.10')).toBe(1);
    expect(compareVersions('2.9.0', '2.9.0')).toBe(0);
    expect(compareVersions('2.8.4', '2.9.0')).toBe(-1);
  });
});
