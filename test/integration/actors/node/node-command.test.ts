import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { connect } from '@nats-io/transport-node';
import { describe, expect, it, onTestFinished } from 'vitest';
import { MeshControl, openControlBuckets } from '../../../../src/actors/control/index.js';
import { learnBaselines, openBaselineBucket, storeBaselines } from '../../../../src/actors/monitor/index.js';
import { nodeStatePaths } from '../../../../src/actors/node/index.js';
import { generateKeyPair, newSessionId } from '../../../../src/transport/index.js';
import { issueSigningLeaves } from '../../../support/mesh-pki.js';
import { startNats } from '../../../support/nats-harness.js';
import { POLICY, until } from '../session/mesh-fixture.js';

// A real process: module loading alone takes seconds on a busy host.
const NODE_PROCESS_MS = 90_000;
const CLI = [process.execPath, '--import', 'tsx', join(import.meta.dirname, '../../../../src/cli/run.ts')];

describe('trustmesh node', () => {
  it(
    'prints a ready line, follows the session registry, and stops cleanly on SIGTERM (detection rules, learned baselines)',
    async () => {
      const nats = await startNats();
      const dir = await mkdtemp(join(tmpdir(), 'trustmesh-node-'));
      onTestFinished(() => rm(dir, { recursive: true, force: true }));
      await writeFile(join(dir, 'policy.yaml'), POLICY);
      await issueSigningLeaves(dir, ['github']);
      const rules = join(dir, 'detection.yaml');
      await writeFile(
        rules,
        'rules:\n  - { name: off-hours-secrets, kind: sensitive_access, severity: 0.6, outsideHours: { start: 8, end: 18, timeZone: Europe/Berlin } }\n',
      );
      const nc = await connect({ servers: nats.url });
      onTestFinished(() => nc.close());
      const calls = [0, 1, 2].map((i) => ({
        time: 1_000 * i,
        session: 's1',
        purpose: 'review',
        tool: 'github.get_pull_request',
        state: 'active',
      }));
      const baselines = learnBaselines(calls, { now: Date.now(), minSessions: 1 });
      await storeBaselines(await openBaselineBucket(nc), baselines);
      const child = spawn(
        CLI[0]!,
        [
          ...CLI.slice(1),
          'node',
          '--nats',
          nats.url,
          '--dir',
          dir,
          '--policy',
          join(dir, 'policy.yaml'),
          '--detection-rules',
          rules,
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      onTestFinished(() => void child.kill('SIGKILL'));
      const line = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout! }).once('line', resolve);
        child.once('exit', (code) => reject(new Error(`trustmesh node exited early with ${code}`)));
      });
      expect(JSON.parse(line)).toMatchObject({
        ready: true,
        sessions: 0,
        policyVersion: expect.stringMatching(/^sha256:/),
        baselineVersion: baselines.version,
      });
      expect((await stat(nodeStatePaths(dir).identity)).mode & 0o077).toBe(0);
      expect((await stat(join(dir, 'pki', 'issued', 'node-local.key'))).mode & 0o077).toBe(0);

      const control = new MeshControl({ nc });
      const sid = newSessionId();
      const now = Date.now();
      await control.createSession({
        sid,
        principal: 'alice@example.com',
        purpose: 'review',
        agentPublicKey: generateKeyPair('ed25519').publicJwk as { kty: string },
        createdAt: now,
        expiresAt: now + 60_000,
      });
      await until(async () =>
        (await control.listSessions()).some((s) => s.sid === sid && s.state === 'active'),
      );
      await expect(
        control.createSession({
          sid,
          principal: 'mallory',
          purpose: 'review',
          agentPublicKey: { kty: 'OKP' },
          createdAt: now,
          expiresAt: now + 1,
        }),
      ).rejects.toMatchObject({ code: 'ERR_CONTROL_SESSION_EXISTS' });

      await (await openControlBuckets(nc)).sessions.delete(sid);
      await until(async () => (await control.listSessions()).length === 0);

      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    },
    NODE_PROCESS_MS,
  );
});
