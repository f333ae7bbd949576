import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  RUG_PULL_HONEST_DESCRIPTION,
  RUG_PULL_POISONED_DESCRIPTION,
} from '../../../fixtures/mcp/rug-pull-server.js';
import { fixtureCommand } from '../../../fixtures/mcp/servers.js';
import { addBroker, countListChanged, usePolicy } from './extra-broker.js';
import { type Mesh, startMesh, until } from './mesh-fixture.js';

const POLICY = `
catalogue:
  quotes:
    tools:
      daily_quote: { effect: read }
purposes:
  quotes:
    tools:
      quotes.daily_quote: { allowed: true }
`;

describe('session actor: broker catalogue changes reach the agent', () => {
  let mesh: Mesh;

  beforeAll(async () => {
    mesh = await startMesh();
    await usePolicy(mesh, POLICY);
  });
  afterAll(() => mesh?.stop());

  it('sends list_changed when a rug pull quarantines the broker, and again when it is approved', async () => {
    const broker = await addBroker(mesh, 'quotes', { kind: 'stdio', ...fixtureCommand('rug-pull') });
    await broker.waitForState(['ready'], 15_000);
    const { client } = await mesh.session('quotes');
    const heard = countListChanged(client);
    const listed = async () => (await client.listTools()).tools;

    expect((await listed()).map((t) => [t.name, t.description])).toEqual([
      ['quotes.daily_quote', RUG_PULL_HONEST_DESCRIPTION],
    ]);
    // The first call is answered honestly; right after it the server rewrites the tool.
    await client.callTool({ name: 'quotes.daily_quote', arguments: {} });
    await broker.waitForState(['quarantined'], 15_000);
    await until(async () => heard.count === 1);
    expect(await listed()).toEqual([]);

    await broker.approve('sec-oncall');
    await until(async () => heard.count === 2);
    expect((await listed()).map((t) => [t.name, t.description])).toEqual([
      ['quotes.daily_quote', RUG_PULL_POISONED_DESCRIPTION],
    ]);
    expect(heard.count).toBe(2);
  });

  it('stays quiet while a replica joins and leaves, and speaks when the last one goes', async () => {
    const quotes = () => addBroker(mesh, 'quotes', { kind: 'stdio', ...fixtureCommand('rug-pull') });
    const first = await quotes();
    await first.waitForState(['ready'], 15_000);
    const { client } = await mesh.session('quotes');
    const heard = countListChanged(client);
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['quotes.daily_quote']);

    // Each of these announces a change; the session re-lists and finds the same tools.
    const replica = await quotes();
    await replica.waitForState(['ready'], 15_000);
    await replica.drain();
    // Re-listings run in order, so this one's notification comes after any the replica caused.
    await first.drain();
    await until(async () => heard.count > 0);
    expect(heard.count).toBe(1);
    expect((await client.listTools()).tools).toEqual([]);
  });
});
