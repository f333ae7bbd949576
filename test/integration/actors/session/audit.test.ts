import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MeshDenial, SessionRpcCode } from '../../../../src/actors/session/index.js';
import {
  type AuditFileSystem,
  type AuditRecord,
  DEFAULT_AUDIT_STREAM,
  nodeFileSystem,
  readRecords,
  verifyAudit,
} from '../../../../src/audit/index.js';
import { TokenErrorCode } from '../../../../src/pki/tokens/index.js';
import { generateKeyPair } from '../../../../src/transport/index.js';
import { refusal } from '../../../support/refusal.js';
import { type Mesh, startMesh, until } from './mesh-fixture.js';

const pr = (number: number) => ({ repo: 'acme/api', number });
// A GitHub token format the redactor knows (the test value of the GitHub docs).
const GITHUB_TOKEN = 'ghp_16C7e42F292c6912E7710c838347Ae178B4a';

async function records(dir: string, keep: (r: AuditRecord) => boolean = () => true): Promise<AuditRecord[]> {
  const found: AuditRecord[] = [];
  for await (const read of readRecords(dir, {})) if (keep(read.record)) found.push(read.record);
  return found;
}

/** Waits for records the session writes without the agent waiting for them (token refusals). */
async function eventually(dir: string, keep: (r: AuditRecord) => boolean): Promise<AuditRecord[]> {
  let found: AuditRecord[] = [];
  await until(async () => {
    found = await records(dir, keep);
    return found.length > 0;
  });
  return found;
}

describe('audit in the call path, on a real mesh', () => {
  let mesh: Mesh;

  beforeAll(async () => {
    mesh = await startMesh({ audit: { redaction: { keys: ['ticket'] } } });
  });
  afterAll(() => mesh?.stop());

  it('records each call durably before it runs and again with its result; denials get one record; the chain verifies', async () => {
    const { sid, client } = await mesh.session('review');
    await client.callTool({ name: 'github.get_pull_request', arguments: pr(1) });
    await refusal(
      client.callTool({
        name: 'github.create_comment',
        arguments: { ...pr(2), body: `my token is ${GITHUB_TOKEN}` },
      }),
      McpError,
    );
    await refusal(
      client.callTool({
        name: 'github.merge_pull_request',
        arguments: { ...pr(2), ticket: 'T-1234', note: `my token is ${GITHUB_TOKEN}` },
      }),
      McpError,
    );

    const trail = await records(mesh.auditDir, (r) => r.session === sid);
    const who = { principal: 'alice@example.com', purpose: 'review', policyVersion: mesh.node.policyVersion };
    expect(trail).toMatchObject([
      { seq: 1, tool: 'github.get_pull_request', decision: 'allow', outcome: 'unknown', bytesOut: 0, ...who },
      { seq: 2, tool: 'github.get_pull_request', decision: 'allow', outcome: 'ok', state: 'active', ...who },
      {
        seq: 3,
        tool: 'github.create_comment',
        decision: 'deny',
        outcome: 'denied',
        rule: 'policy.yaml:12',
        // The policy drops comment bodies from the audit.
        arguments: { number: 2, body: '[REDACTED:drop]' },
      },
      {
        seq: 4,
        tool: 'github.merge_pull_request',
        decision: 'deny',
        outcome: 'denied',
        rule: 'policy.yaml:13',
        // A key the node is configured to redact, and a secret in a known format.
        arguments: { number: 2, ticket: '[REDACTED:key]', note: 'my token is [REDACTED:github-token]' },
      },
    ]);
    const [decided, result] = trail;
    expect(result!.call).toBe(decided!.call);
    expect(result!.bytesOut).toBeGreaterThan(0);
    expect(result!.latencyMs).toBeGreaterThanOrEqual(decided!.latencyMs);
    expect(trail[2]!.reason).toMatch(/^DENY_REQUIRES: /);
    expect(JSON.stringify(trail)).not.toContain(GITHUB_TOKEN);

    const report = await verifyAudit({ dir: mesh.auditDir });
    expect(report.findings).toEqual([]);
  });

  it('ships the records to the audit stream, one message per record', async () => {
    const { sid, client } = await mesh.session('review');
    await client.callTool({ name: 'github.get_pull_request', arguments: pr(1) });
    const jsm = await jetstreamManager(mesh.operator);
    const subject = `tm.audit.${sid}`;
    await until(async () => {
      const info = await jsm.streams.info(DEFAULT_AUDIT_STREAM, { subjects_filter: subject });
      return info.state.subjects?.[subject] === 2;
    });
  });

  it('records a refused session token as a denied call, and a suspended session refusing one in its state', async () => {
    await refusal(
      mesh.session('review', { tweak: (r) => ({ ...r, agentKey: generateKeyPair('ed25519').publicJwk }) }),
      McpError,
    );
    const [wrongKey] = await eventually(mesh.auditDir, (r) => r.reason.startsWith(TokenErrorCode.WrongKey));
    expect(wrongKey).toMatchObject({
      tool: 'initialize',
      decision: 'deny',
      outcome: 'denied',
      rule: 'session-token',
    });

    const { sid, client } = await mesh.session('review');
    await mesh.control.suspend(sid, { operator: 'sec-oncall', reason: 'test' });
    await refusal(client.callTool({ name: 'github.get_pull_request', arguments: pr(1) }), McpError);
    const [suspended] = await eventually(
      mesh.auditDir,
      (r) => r.session === sid && r.rule === 'session-token',
    );
    expect(suspended).toMatchObject({
      tool: 'github.get_pull_request',
      arguments: pr(1),
      state: 'suspended',
      outcome: 'denied',
    });
  });
});

/** Writes go to the real segment until `broken()`, then to /dev/full, which fails them with ENOSPC. */
function breakable(broken: () => boolean): AuditFileSystem {
  return {
    async open(path, flags) {
      const file = await nodeFileSystem.open(path, flags);
      if (!path.endsWith('.jsonl')) return file;
      const full = await nodeFileSystem.open('/dev/full', 'a');
      const target = () => (broken() ? full : file);
      return {
        write: (buffer, offset, length) => target().write(buffer, offset, length),
        datasync: () => target().datasync(),
        sync: () => target().sync(),
        close: async () => {
          await full.close();
          await file.close();
        },
      };
    },
  };
}

describe('audit fails closed, on a real mesh', () => {
  let mesh: Mesh;
  let dir: string;
  let full = false;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'trustmesh-audit-calls-'));
    mesh = await startMesh({
      callLog: join(dir, 'calls.jsonl'),
      audit: { fileSystem: breakable(() => full) },
    });
  });
  afterAll(async () => {
    await mesh?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses every call once the log cannot be written, and the tool never runs', async () => {
    const { client } = await mesh.session('review');
    await client.callTool({ name: 'github.get_pull_request', arguments: pr(1) });
    const ran = async () =>
      (await readFile(join(dir, 'calls.jsonl'), 'utf8'))
        .trim()
        .split('\n')
        .map((line) => (JSON.parse(line) as { name: string }).name);
    expect(await ran()).toEqual(['get_pull_request']);
    // The agent does not wait for the result record's sync; break the disk only after it.
    await until(async () => (await records(mesh.auditDir)).length === 2);

    full = true;
    const refused = await refusal(
      client.callTool({ name: 'github.create_comment', arguments: { ...pr(1), body: 'unaudited?' } }),
      McpError,
    );
    expect(refused.code).toBe(SessionRpcCode.Denied);
    expect(refused.data).toMatchObject({
      reason: MeshDenial.AuditUnavailable,
      rule: 'mesh',
      state: 'active',
    });
    expect(refused.message).toContain('no call runs unaudited');
    // The log stays failed: a fixed disk needs the operator to restart the node.
    full = false;
    const next = await refusal(
      client.callTool({ name: 'github.get_pull_request', arguments: pr(1) }),
      McpError,
    );
    expect(next.data).toMatchObject({ reason: MeshDenial.AuditUnavailable });
    expect(await ran()).toEqual(['get_pull_request']);
  });
});
