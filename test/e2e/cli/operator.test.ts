import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApprovalRecord, SessionInspection, SessionSummary } from '../../../src/actors/control/index.js';
import { until } from '../../integration/actors/session/mesh-fixture.js';
import { refusal } from '../../support/refusal.js';
import { type OperatorMesh, startOperatorMesh } from './operator-mesh.js';

const PR = { repo: 'acme/api', number: 1 };
// Each step starts a CLI process (tsx); on a shared two-core machine that alone takes seconds.
const CLI_TEST_MS = 120_000;

interface Created {
  ok: true;
  sid: string;
  state: string;
  sessionFile: string;
  bridge: string[];
}

describe('trustmesh session|sessions|approvals against a real mesh', () => {
  let mesh: OperatorMesh;

  beforeAll(async () => {
    mesh = await startOperatorMesh({ approvalMs: 90_000 });
  }, CLI_TEST_MS);
  afterAll(() => mesh?.stop());

  async function create(purpose: string): Promise<{ sid: string; file: string; client: Client }> {
    const { code, body } = await mesh.cliJson<Created>(
      'session',
      'create',
      '--purpose',
      purpose,
      '--user',
      'carol',
    );
    expect(code).toBe(0);
    return { sid: body.sid, file: body.sessionFile, client: await mesh.agent(body.sessionFile) };
  }

  /** An approver's ID token from the mesh's identity provider, in a file as `--id-token` reads it. */
  async function idToken(claims: Record<string, unknown>, subject = 'user-bob'): Promise<string> {
    const file = join(mesh.dir, `id-token-${subject}-${Object.values(claims).flat().join('-')}`);
    await writeFile(file, `${await mesh.idp.sign(claims, { subject })}\n`);
    return file;
  }

  /** Waits in-process for the call the session holds; the CLI's view of it is asserted separately. */
  async function pendingFor(sid: string): Promise<ApprovalRecord> {
    let found: ApprovalRecord | undefined;
    await until(async () => {
      found = (await mesh.control.listApprovals()).find((a) => a.sid === sid);
      return found !== undefined;
    });
    return found!;
  }

  it(
    'creates a session file the agent connects with, and suspend/resume drive the next call',
    async () => {
      const created = await mesh.cli(
        'session',
        'create',
        '--purpose',
        'review',
        '--user',
        'carol',
        '--ttl',
        '30m',
      );
      expect(created.code).toBe(0);
      const sid = /session (\S+) is active/.exec(created.stdout)?.[1];
      const file = /Session file .*: (\S+)/.exec(created.stdout)?.[1];
      expect(created.stdout).toContain(`bridge --session ${file}`);
      expect(created.stderr).toContain('waiting up to 15s for a mesh node');
      expect((await stat(file!)).mode & 0o777).toBe(0o600);

      const [listed, table] = await Promise.all([
        mesh.cliJson<{ sessions: (SessionSummary & { createdAt: number })[] }>('sessions', 'list'),
        mesh.cli('sessions', 'list'),
      ]);
      const row = listed.body.sessions.find((s) => s.sid === sid);
      expect(row).toMatchObject({ principal: 'carol', purpose: 'review', state: 'active' });
      expect(row!.expiresAt - row!.createdAt).toBe(30 * 60_000);
      expect(table.stdout).toMatch(new RegExp(`${sid}\\s+carol\\s+review\\s+active\\s+\\d+s\\s+in 2\\dm`));

      const client = await mesh.agent(file!);
      const ok = await client.callTool({ name: 'github.get_pull_request', arguments: PR });
      expect(JSON.stringify(ok.content)).toContain('Fix the login redirect');

      const suspended = await mesh.cli('sessions', 'suspend', sid!, '--reason', 'SEC-42');
      expect(suspended.code).toBe(0);
      expect(suspended.stdout).toContain(`session ${sid}: active → suspended (operator alice: SEC-42)`);
      expect(suspended.stdout).toContain(`trustmesh sessions resume ${sid}`);
      const denied = await refusal(
        client.callTool({ name: 'github.get_pull_request', arguments: PR }),
        McpError,
      );
      // Suspending revokes the session's token: the very next call is refused for it.
      expect(denied.data).toMatchObject({ reason: 'ERR_TOKEN_REVOKED', state: 'suspended' });

      const [inspected, timeline] = await Promise.all([
        mesh.cliJson<{ session: SessionInspection }>('sessions', 'inspect', sid!),
        mesh.cli('sessions', 'inspect', sid!),
      ]);
      expect(inspected.body.session.state).toBe('suspended');
      expect(inspected.body.session.transitions.at(-1)).toMatchObject({
        from: 'active',
        to: 'suspended',
        reason: 'operator alice: SEC-42',
      });
      expect(inspected.body.session.counters.session.calls).toBeGreaterThanOrEqual(1);
      expect(timeline.stdout).toMatch(/active → suspended\s+\S+\s+operator alice: SEC-42\s+\d{4}-/);

      const resumed = await mesh.cliJson('sessions', 'resume', sid!, '--operator', 'bob');
      expect(resumed.body).toMatchObject({ ok: true, from: 'suspended', to: 'active', changed: true });
      // Resume moves the session, not the revoked credentials: the agent needs new ones.
      const stillRevoked = await refusal(
        client.callTool({ name: 'github.get_pull_request', arguments: PR }),
        McpError,
      );
      expect(stillRevoked.data).toMatchObject({ reason: 'ERR_TOKEN_REVOKED', state: 'active' });
    },
    CLI_TEST_MS,
  );

  it(
    'holds an approval-required call until approvals approve, and approvals deny refuses the next',
    async () => {
      const { sid, client } = await create('release');
      const merged = client.callTool({ name: 'github.merge_pull_request', arguments: PR });
      const held = await pendingFor(sid);
      const [listed, table] = await Promise.all([
        mesh.cliJson<{ approvals: ApprovalRecord[] }>('approvals', 'list'),
        mesh.cli('approvals', 'list'),
      ]);
      expect(listed.body.approvals).toEqual([held]);
      expect(held).toMatchObject({ tool: 'github.merge_pull_request', preview: JSON.stringify(PR) });
      expect(table.stdout).toMatch(new RegExp(`${held.callId}\\s+${sid}\\s+github\\.merge_pull_request`));

      // The node verifies the approver's ID token: no MFA is refused with its code and the call waits on.
      const password = await idToken({ amr: ['pwd'] });
      const weak = await mesh.cliJson('approvals', 'approve', held.callId, '--id-token', password);
      expect(weak).toMatchObject({ code: 1, body: { ok: false, code: 'ERR_APPROVER_MFA' } });
      expect(String(weak.body.message)).toContain('sign in again with MFA');
      const dave = await idToken({ amr: ['pwd', 'otp'] }, 'dave');
      const approved = await mesh.cli('approvals', 'approve', held.callId, '--id-token', dave);
      expect(approved.code).toBe(0);
      expect(approved.stdout).toContain(`approved call ${held.callId}`);
      expect(approved.stdout).toContain('as dave;');
      expect(JSON.stringify((await merged).content)).toContain('Merged acme/api#1.');

      const again = await mesh.cliJson('approvals', 'approve', held.callId, '--id-token', dave);
      expect(again).toMatchObject({ code: 1, body: { ok: false, code: 'ERR_CONTROL_NO_PENDING_APPROVAL' } });
      expect(String(again.body.message)).toContain('timed out');

      const refused = refusal(
        client.callTool({ name: 'github.merge_pull_request', arguments: PR }),
        McpError,
      );
      const second = await pendingFor(sid);
      const denied = await mesh.cli(
        'approvals',
        'deny',
        second.callId,
        '--reason',
        'release freeze',
        '--id-token',
        dave,
      );
      expect(denied.code).toBe(0);
      expect(denied.stdout).toContain(`denied call ${second.callId}`);
      const err = await refused;
      expect(err.message).toContain('release freeze');
      expect(
        (await mesh.cliJson<{ approvals: ApprovalRecord[] }>('approvals', 'list')).body.approvals,
      ).toEqual([]);
    },
    CLI_TEST_MS,
  );

  it(
    'kill removes the session; an unknown sid fails with a clear message and exit 1',
    async () => {
      const { sid, client } = await create('review');
      const killed = await mesh.cliJson('sessions', 'kill', sid, '--reason', 'compromised');
      expect(killed.body).toMatchObject({ ok: true, from: 'active', to: 'terminated' });
      await expect(client.callTool({ name: 'github.get_pull_request', arguments: PR })).rejects.toThrow();
      await until(async () => !(await mesh.control.listSessions()).some((s) => s.sid === sid));
      const { body } = await mesh.cliJson<{ sessions: SessionSummary[] }>('sessions', 'list');
      expect(body.sessions.map((s) => s.sid)).not.toContain(sid);

      const human = await mesh.cli('sessions', 'inspect', sid);
      expect(human.code).toBe(1);
      expect(human.stderr).toContain(`no mesh node hosts session ${sid}`);
      expect(human.stderr).toContain("Run 'trustmesh sessions list'");
      const scripted = await mesh.cliJson('sessions', 'suspend', 'no-such-session');
      expect(scripted).toMatchObject({ code: 1, body: { ok: false, code: 'ERR_CONTROL_UNKNOWN_SESSION' } });
    },
    CLI_TEST_MS,
  );

  it(
    'session create names the missing mesh key and registers nothing',
    async () => {
      const before = (await mesh.control.listSessions()).length;
      const run = await mesh.cliJson(
        'session',
        'create',
        '--purpose',
        'review',
        '--user',
        'carol',
        '--mesh-key',
        '/nonexistent/node.jwk',
      );
      expect(run).toMatchObject({ code: 1, body: { ok: false, code: 'ERR_SESSION_CREATE' } });
      expect(String(run.body.message)).toContain('cannot read the mesh node key /nonexistent/node.jwk');
      expect(String(run.body.message)).toContain('--mesh-key');
      expect((await mesh.control.listSessions()).length).toBe(before);
    },
    CLI_TEST_MS,
  );
});
