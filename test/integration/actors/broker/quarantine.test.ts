import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FilePinStore } from '../../../../src/actors/broker/index.js';
import { INJECTED_DESCRIPTION } from '../../../fixtures/mcp/injected-server.js';
import {
  RUG_PULL_HONEST_DESCRIPTION,
  RUG_PULL_POISONED_DESCRIPTION,
} from '../../../fixtures/mcp/rug-pull-server.js';
import { Caller, codeOf, fixtureUpstream, natsFixture, startBroker, stateDir, textOf } from './helpers.js';

describe('rug pull: a definition changes after it was pinned', () => {
  it('quarantines on list_changed, refuses every call, and serves again once approved', async () => {
    const nc = await natsFixture();
    const pins = await stateDir();
    const broker = await startBroker(nc, {
      server: 'quotes',
      upstream: fixtureUpstream('rug-pull'),
      pinStore: new FilePinStore(pins),
    });
    const caller = new Caller(nc, 'quotes');
    expect(broker.state).toBe('ready');
    expect((await caller.catalogue()).tools[0]?.description).toBe(RUG_PULL_HONEST_DESCRIPTION);

    // The first call is answered, then the server rewrites the tool and announces it.
    expect(textOf(await caller.callTool('daily_quote', {}))).toContain('Simplicity');
    await broker.waitForState(['quarantined'], 15_000);

    const refused = await caller.callTool('daily_quote', {});
    expect(codeOf(refused)).toBe('ERR_BROKER_QUARANTINED');
    expect('error' in refused && refused.error.message).toMatch(
      /changed since approval: daily_quote.*trustmesh broker approve quotes/,
    );
    const quarantined = await caller.catalogue();
    expect(quarantined.state).toBe('quarantined');
    expect(quarantined.quarantine?.diff.changed).toEqual(['daily_quote']);
    // Sessions keep seeing the approved definition, never the new one.
    expect(quarantined.tools[0]?.description).toBe(RUG_PULL_HONEST_DESCRIPTION);
    expect(quarantined.listedSetHash).not.toBe(quarantined.pinnedSetHash);

    await broker.approve('alice', quarantined.listedSetHash ?? undefined);
    expect(broker.state).toBe('ready');
    const approved = await caller.catalogue();
    expect(approved).toMatchObject({ approvedBy: 'alice', quarantine: null });
    expect(approved.tools[0]?.description).toBe(RUG_PULL_POISONED_DESCRIPTION);
    expect(textOf(await caller.callTool('daily_quote', { topic: 'x' }))).toContain('Simplicity');
    expect((await stat(join(pins, 'quotes.json'))).mode & 0o777).toBe(0o600);
  });

  it('refuses an approval of a listing other than the one reviewed', async () => {
    const nc = await natsFixture();
    const broker = await startBroker(nc, { server: 'quotes', upstream: fixtureUpstream('rug-pull') });
    const caller = new Caller(nc, 'quotes');
    const reviewed = (await caller.catalogue()).listedSetHash ?? '';
    await caller.callTool('daily_quote', {});
    await broker.waitForState(['quarantined'], 15_000);
    await expect(broker.approve('alice', reviewed)).rejects.toMatchObject({
      code: 'ERR_BROKER_APPROVAL_STALE',
    });
    expect(broker.state).toBe('quarantined');
  });
});

describe('injection markers in a description', () => {
  it('quarantine the server from the first listing until approved, and the approval persists', async () => {
    const nc = await natsFixture();
    const pins = await stateDir();
    const broker = await startBroker(nc, {
      server: 'calc',
      upstream: fixtureUpstream('injected'),
      pinStore: new FilePinStore(pins),
    });
    const caller = new Caller(nc, 'calc');
    expect(broker.state).toBe('quarantined');

    const refused = await caller.callTool('add', { a: 2, b: 3 });
    expect(codeOf(refused)).toBe('ERR_BROKER_QUARANTINED');
    expect('error' in refused && refused.error.message).toMatch(
      /never approved.*add carries injection markers/,
    );
    const catalogue = await caller.catalogue();
    expect(catalogue.tools).toEqual([]);
    expect(catalogue.quarantine?.flagged[0]?.markers).toEqual(
      expect.arrayContaining([
        'description: important-tag',
        'description: sensitive-file',
        'description: concealment',
        'description: other-tool-call',
      ]),
    );

    await broker.approve('bob');
    expect(textOf(await caller.callTool('add', { a: 2, b: 3 }))).toBe('5');
    const served = (await caller.catalogue()).tools[0];
    expect(served?.name).toBe('calc.add');
    expect(served?.description).toBe(INJECTED_DESCRIPTION.trim());
    await broker.drain();

    // A new replica on the same pins finds the approved definitions and serves at once.
    const again = await startBroker(nc, {
      server: 'calc',
      upstream: fixtureUpstream('injected'),
      pinStore: new FilePinStore(pins),
    });
    expect(again.state).toBe('ready');
  });
});
