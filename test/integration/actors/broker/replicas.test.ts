import { describe, expect, it } from 'vitest';
import { Caller, codeOf, fixtureUpstream, natsFixture, startBroker, textOf } from './helpers.js';

const CALLS = 50;

describe('replicas in one queue group', () => {
  it('share the calls: each replica serves some of them', async () => {
    const nc = await natsFixture();
    await startBroker(nc, { server: 'faulty', upstream: fixtureUpstream('faulty') });
    await startBroker(nc, { server: 'faulty', upstream: fixtureUpstream('faulty') });
    const caller = new Caller(nc, 'faulty');
    // Each replica runs its own server process, so the pid says which replica served a call.
    const pids = await Promise.all(
      Array.from({ length: CALLS }, () => caller.callTool('pid', {}).then(textOf)),
    );
    const served = new Map<string, number>();
    for (const pid of pids) served.set(pid, (served.get(pid) ?? 0) + 1);
    expect(served.size).toBe(2);
    expect([...served.values()].reduce((a, b) => a + b)).toBe(CALLS);
  });

  it('lose no call when one replica drains mid-stream', async () => {
    const nc = await natsFixture();
    const leaving = await startBroker(nc, { server: 'faulty', upstream: fixtureUpstream('faulty') });
    await startBroker(nc, { server: 'faulty', upstream: fixtureUpstream('faulty') });
    const caller = new Caller(nc, 'faulty');

    let answered = 0;
    let draining: Promise<void> | undefined;
    const answers = await Promise.all(
      Array.from({ length: CALLS }, async (_, i) => {
        const answer = await caller.callTool('echo', { text: `call ${i}` });
        answered += 1;
        if (answered === 10) draining = leaving.drain();
        return answer;
      }),
    );
    await draining;
    expect(leaving.state).toBe('stopped');
    expect(answers.map(codeOf).filter((code) => code !== 'result')).toEqual([]);
    expect(answers.map(textOf)).toEqual(Array.from({ length: CALLS }, (_, i) => `call ${i}`));
    // After the drain every call goes to the replica that stayed.
    expect(textOf(await caller.callTool('echo', { text: 'after' }))).toBe('after');
  });
});
