import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditLog, type AuditRecord, AuditShipper, DEFAULT_AUDIT_STREAM } from '../../../src/audit/index.js';
import { startNats } from '../../support/nats-harness.js';
import { entry } from '../../unit/audit/entries.js';

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function setup(): Promise<{ nc: NatsConnection; dir: string; stopNats: () => Promise<void> }> {
  const nats = await startNats();
  const nc = await connect({ servers: nats.url });
  const dir = await mkdtemp(join(tmpdir(), 'tm-audit-ship-'));
  cleanup.push(
    () => nc.close(),
    () => rm(dir, { recursive: true, force: true }),
  );
  return { nc, dir, stopNats: () => nats.stop() };
}

async function appendAll(dir: string, entries: ReturnType<typeof entry>[]): Promise<AuditRecord[]> {
  const log = await AuditLog.open({ dir, maxSegmentBytes: 4_000 });
  const records = await Promise.all(entries.map((e) => log.append(e)));
  await log.close();
  return records;
}

/** Every message of the audit stream, oldest first, as records. */
async function streamRecords(nc: NatsConnection): Promise<Array<{ subject: string; record: AuditRecord }>> {
  const jsm = await jetstreamManager(nc);
  const { state } = await jsm.streams.info(DEFAULT_AUDIT_STREAM);
  const out: Array<{ subject: string; record: AuditRecord }> = [];
  for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++) {
    const msg = await jsm.streams.getMessage(DEFAULT_AUDIT_STREAM, { seq });
    if (msg !== null) out.push({ subject: msg.subject, record: msg.json<AuditRecord>() });
  }
  return out;
}

describe('AuditShipper (real nats-server with JetStream)', () => {
  it('ships every record to <prefix>.audit.<sid> in a file-backed stream with a duplicate window', async () => {
    const { nc, dir } = await setup();
    const records = await appendAll(dir, [entry('sa', 1), entry('sb', 1), entry('sa', 2)]);
    const shipper = await AuditShipper.open({ connection: nc, dir });
    expect(await shipper.ship()).toBe(3);
    const info = await (await jetstreamManager(nc)).streams.info(DEFAULT_AUDIT_STREAM);
    expect(info.config).toMatchObject({ storage: 'file', subjects: ['tm.audit.>'] });
    expect(info.config.duplicate_window).toBeGreaterThan(0);
    const shipped = await streamRecords(nc);
    expect(shipped.map((m) => m.subject)).toEqual(['tm.audit.sa', 'tm.audit.sb', 'tm.audit.sa']);
    expect(shipped.map((m) => m.record)).toEqual(records);
    expect(await shipper.lag()).toMatchObject({ bytes: 0, shipped: 3, lastError: undefined });
    await shipper.stop();
  });

  it('lets the stream drop a duplicate publish of the same record (message id = record hash)', async () => {
    const { nc, dir } = await setup();
    const [record] = await appendAll(dir, [entry('sa', 1)]);
    const shipper = await AuditShipper.open({ connection: nc, dir });
    await shipper.ship();
    const again = await jetstream(nc).publish('tm.audit.sa', JSON.stringify(record), {
      msgID: (record as AuditRecord).hash,
    });
    expect(again.duplicate).toBe(true);
    expect(await streamRecords(nc)).toHaveLength(1);
    await shipper.stop();
  });

  it('resumes from its cursor after a restart, across rotated segments, without loss or duplicates', async () => {
    const { nc, dir } = await setup();
    const first = await appendAll(
      dir,
      Array.from({ length: 20 }, (_, i) => entry('sa', i + 1)),
    );
    const before = await AuditShipper.open({ connection: nc, dir, batchRecords: 7 });
    expect(await before.ship()).toBe(20);
    await before.stop();

    const second = await appendAll(
      dir,
      Array.from({ length: 15 }, (_, i) => entry('sa', i + 21)),
    );
    const after = await AuditShipper.open({ connection: nc, dir, batchRecords: 7 });
    expect((await after.lag()).bytes).toBeGreaterThan(0);
    expect(await after.ship()).toBe(15);
    const shipped = await streamRecords(nc);
    expect(shipped.map((m) => m.record.seq)).toEqual([...first, ...second].map((r) => r.seq));
    expect(await after.lag()).toMatchObject({ bytes: 0, shipped: 35 });
    await after.stop();
  });

  it('redelivers after a cursor is lost and the stream deduplicates it', async () => {
    const { nc, dir } = await setup();
    await appendAll(dir, [entry('sa', 1), entry('sa', 2)]);
    await (await AuditShipper.open({ connection: nc, dir })).ship();
    await rm(join(dir, 'ship-cursor.json'));
    const restarted = await AuditShipper.open({ connection: nc, dir });
    expect(await restarted.ship()).toBe(2);
    expect(await streamRecords(nc)).toHaveLength(2);
  });

  it('ships continuously when woken by the log, never delaying an append', async () => {
    const { nc, dir } = await setup();
    const shipper = await AuditShipper.open({ connection: nc, dir, pollIntervalMs: 60_000 });
    const log = await AuditLog.open({ dir, onDurable: () => shipper.notify() });
    cleanup.push(
      () => log.close(),
      () => shipper.stop(),
    );
    shipper.run();
    await log.append(entry('sa', 1));
    await log.append(entry('sa', 2));
    await expect.poll(async () => (await streamRecords(nc)).length, { timeout: 10_000 }).toBe(2);
  });

  it('reports a stream that cannot be reached as ERR_AUDIT_SHIP and keeps the records for later', async () => {
    const { nc, dir } = await setup();
    await appendAll(dir, [entry('sa', 1)]);
    const shipper = await AuditShipper.open({ connection: nc, dir });
    await (await jetstreamManager(nc)).streams.delete(DEFAULT_AUDIT_STREAM);
    await expect(shipper.ship()).rejects.toMatchObject({ code: 'ERR_AUDIT_SHIP' });
    expect(await shipper.lag()).toMatchObject({
      shipped: 0,
      lastError: expect.objectContaining({ code: 'ERR_AUDIT_SHIP' }),
    });
    expect((await shipper.lag()).bytes).toBeGreaterThan(0);
  });

  it('keeps appending while the stream is down, and the lag shows what is waiting', async () => {
    const { nc, dir, stopNats } = await setup();
    const shipper = await AuditShipper.open({ connection: nc, dir, pollIntervalMs: 50 });
    const log = await AuditLog.open({ dir, onDurable: () => shipper.notify() });
    cleanup.push(
      () => log.close(),
      () => shipper.stop(),
    );
    shipper.run();
    await log.append(entry('sa', 1));
    await expect.poll(async () => (await shipper.lag()).shipped, { timeout: 10_000 }).toBe(1);
    await stopNats();
    const records = await Promise.all([log.append(entry('sa', 2)), log.append(entry('sa', 3))]);
    expect(records.map((r) => r.seq)).toEqual([2, 3]);
    await expect
      .poll(async () => (await shipper.lag()).lastError?.code, { timeout: 15_000 })
      .toBe('ERR_AUDIT_SHIP');
    expect(await shipper.lag()).toMatchObject({ shipped: 1 });
    expect((await shipper.lag()).bytes).toBeGreaterThan(0);
  });
});
