import type { Msg, NatsConnection } from '@nats-io/transport-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { newSessionId } from '../../../../src/transport/subjects.js';
import { type MeshFixture, meshFixture, nextPermissionError, subscriptionRefusal } from './mesh-fixture.js';

let mesh: MeshFixture;
let node: NatsConnection;

beforeAll(async () => {
  mesh = await meshFixture();
  node = await mesh.connectAs(mesh.authority.issueNodeUser({ nodeId: 'node-1' }));
});

/** A subscription callback answering each request with `reply(its text)`. */
function answer(reply: (text: string) => string) {
  return (_: Error | null, msg: Msg) => {
    msg.respond(reply(msg.string()));
  };
}

/**
 * Publishes `subject` as `agent` and proves nothing arrived: `observer`, listening on `subject` and on
 * the agent's own subjects, gets the agent's next, permitted message first (one connection, one order).
 */
async function expectPublishRefused(
  agent: NatsConnection,
  sid: string,
  subject: string,
  observer: NatsConnection = node,
): Promise<void> {
  const own = `tm.s.${sid}.c2s`;
  const seen: string[] = [];
  const done = new Promise<void>((resolve) => {
    const record = (msg: { subject: string }) => {
      seen.push(msg.subject);
      if (msg.subject === own) resolve();
    };
    observer.subscribe(subject, { callback: (_, msg) => record(msg) });
    node.subscribe(own, { callback: (_, msg) => record(msg) });
  });
  await Promise.all([observer.flush(), node.flush()]);
  const refusal = nextPermissionError(agent);
  agent.publish(subject, 'forbidden');
  agent.publish(own, 'marker');
  await done;
  expect(seen).toEqual([own]);
  await expect(refusal).resolves.toMatchObject({ operation: 'publish', subject });
}

describe('a session user, as nats-server enforces it', () => {
  it('completes a request/reply with a node on its own subjects, both ways', async () => {
    const sid = newSessionId();
    const { nc: agent } = await mesh.connectSession(sid);
    node.subscribe(`tm.s.${sid}.c2s`, { callback: answer((text) => `pong:${text}`) });
    agent.subscribe(`tm.s.${sid}.s2c`, { callback: answer((text) => `answer:${text}`) });
    await Promise.all([node.flush(), agent.flush()]);

    const reply = await agent.request(`tm.s.${sid}.c2s`, 'ping', { timeout: 5_000 });
    expect(reply.string()).toBe('pong:ping');
    expect(reply.subject.startsWith(`_INBOX_${sid}.`)).toBe(true);
    // A server→agent request: the agent may answer it into the node's inbox only through its response permission.
    expect((await node.request(`tm.s.${sid}.s2c`, 'sample', { timeout: 5_000 })).string()).toBe(
      'answer:sample',
    );
  });

  it.each([
    ['another session', (other: string) => `tm.s.${other}.c2s`],
    ['another session hello', (other: string) => `tm.s.${other}.hello`],
    ['a broker', () => 'tm.tool.filesystem.read_file'],
    ['the control plane', () => 'tm.ctl.session.x.suspend'],
    ['approvals', () => 'tm.approvals.requested'],
    ["the mesh's inbox", () => '_INBOX.abc'],
  ])('cannot publish to %s', async (_, subjectOf) => {
    const sid = newSessionId();
    const { nc: agent } = await mesh.connectSession(sid);
    await expectPublishRefused(agent, sid, subjectOf(newSessionId()));
  });

  // No mesh user may subscribe to these to watch for leaks; the server's refusal and the missing answer say it.
  it.each([
    ['the audit stream', 'tm.audit.x'],
    ['the JetStream API', '$JS.API.INFO'],
    ['a KV bucket', '$KV.trustmesh_approvals.x'],
    ['the system account', '$SYS.REQ.SERVER.PING'],
  ])('cannot reach %s', async (_, subject) => {
    const { nc: agent } = await mesh.connectSession(newSessionId());
    const refusal = nextPermissionError(agent);
    await expect(agent.request(subject, '', { timeout: 1_000 })).rejects.toThrow();
    await expect(refusal).resolves.toMatchObject({ operation: 'publish', subject });
  });

  it.each([
    ["another session's subjects", (other: string) => `tm.s.${other}.>`],
    ["another session's inbox", (other: string) => `_INBOX_${other}.>`],
    ['every session', () => 'tm.s.*.>'],
    ['everything', () => '>'],
    ['broker calls', () => 'tm.tool.>'],
    ['control', () => 'tm.ctl.>'],
    ['the audit stream', () => 'tm.audit.>'],
    ["the mesh's inbox", () => '_INBOX.>'],
  ])('cannot subscribe to %s', async (_, subjectOf) => {
    const { nc: agent } = await mesh.connectSession(newSessionId());
    const subject = subjectOf(newSessionId());
    const sub = agent.subscribe(subject);
    expect(await subscriptionRefusal(agent, sub)).toMatchObject({
      name: 'PermissionViolationError',
      operation: 'subscription',
      subject,
    });
  });

  it("gets no reply through another session's inbox prefix", async () => {
    const victim = newSessionId();
    const sid = newSessionId();
    const user = mesh.authority.issueSessionUser({ sid, expiresAt: Date.now() + 60_000 });
    // Its own credentials with the victim's inbox prefix: the reply subscription is refused.
    const agent = await mesh.connectAs(user, { inboxPrefix: `_INBOX_${victim}` });
    node.subscribe(`tm.s.${sid}.c2s`, { callback: answer(() => 'pong') });
    await node.flush();
    await expect(agent.request(`tm.s.${sid}.c2s`, 'ping', { timeout: 2_000 })).rejects.toThrow(
      /Permissions Violation for Subscription/,
    );
  });

  it('cannot publish to the agent of another session by replying', async () => {
    const sid = newSessionId();
    const victimSid = newSessionId();
    const victim = await mesh.connectSession(victimSid);
    const { nc: agent } = await mesh.connectSession(sid);
    // The victim's inbox: only a reply subject the agent itself received could be published to.
    await expectPublishRefused(agent, sid, `_INBOX_${victimSid}.stolen`, victim.nc);
  });
});

describe('node and broker users', () => {
  it('let a node call a broker in its queue group and keep JetStream KV', async () => {
    const broker = await mesh.connectAs(mesh.authority.issueBrokerUser({ server: 'filesystem' }));
    broker.subscribe('tm.tool.filesystem.call', {
      queue: 'filesystem',
      callback: answer(() => 'result'),
    });
    await broker.flush();
    expect((await node.request('tm.tool.filesystem.call', 'args', { timeout: 5_000 })).string()).toBe(
      'result',
    );

    const { Kvm } = await import('@nats-io/kv');
    const kv = await new Kvm(node).create('nats_auth_probe');
    await kv.put('k', 'v');
    expect((await kv.get('k'))?.string()).toBe('v');
  });

  it("keep a broker to its own server's calls", async () => {
    const broker = await mesh.connectAs(mesh.authority.issueBrokerUser({ server: 'filesystem' }));
    const sub = broker.subscribe('tm.tool.github.>');
    expect(await subscriptionRefusal(broker, sub)).toMatchObject({ operation: 'subscription' });
    const refusal = nextPermissionError(broker);
    broker.publish(`tm.s.${newSessionId()}.s2c`, 'forged');
    await expect(refusal).resolves.toMatchObject({ operation: 'publish' });
  });
});
