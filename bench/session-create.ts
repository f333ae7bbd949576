import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newPrivateJwk, publicJwkOf } from '../src/pki/key-store.js';
import { createNatsAuthority, type NatsAuthority } from '../src/pki/nats-auth/index.js';
import { SessionTokenIssuer } from '../src/pki/tokens/index.js';
import { newSessionId } from '../src/transport/subjects.js';

const SESSIONS = 2_000;
const WARM_UP = 200;
const TTL_MS = 3_600_000;

/**
 * Sessions created per second, each with everything `trustmesh session create` hands an agent: its
 * own Ed25519 key, a session token bound to that key, and a NATS user (nkey + JWT + .creds) limited to
 * the session's subjects. `session_nats_user_per_s` is the NATS credential part alone.
 */
export async function benchSessionCreate(): Promise<Record<string, number>> {
  const stateDir = await mkdtemp(join(tmpdir(), 'trustmesh-bench-session-'));
  try {
    const authority = await createNatsAuthority({ stateDir });
    const issuer = new SessionTokenIssuer({
      key: newPrivateJwk(),
      issuer: 'trustmesh',
      audience: 'trustmesh-mesh',
    });
    const createSession = async () => {
      const sid = newSessionId();
      const agentKey = newPrivateJwk();
      const token = await issuer.issue({
        sessionId: sid,
        principal: 'alice@example.com',
        purpose: 'bench',
        tier: 'standard',
        tools: ['filesystem.read_file'],
        agentKey: publicJwkOf(agentKey),
        ttlMs: TTL_MS,
      });
      const nats = authority.issueSessionUser({ sid, expiresAt: token.claims.exp * 1000 });
      return { agentKey, token, nats };
    };
    return {
      session_create_per_s: await perSecond(createSession),
      session_nats_user_per_s: await perSecond(() => issueNatsUser(authority)),
    };
  } finally {
    await rm(stateDir, { recursive: true, force: true });
  }
}

function issueNatsUser(authority: NatsAuthority): unknown {
  return authority.issueSessionUser({ sid: newSessionId(), expiresAt: Date.now() + TTL_MS });
}

async function perSecond(create: () => unknown): Promise<number> {
  for (let i = 0; i < WARM_UP; i++) await create();
  const started = performance.now();
  for (let i = 0; i < SESSIONS; i++) await create();
  return Math.round(SESSIONS / ((performance.now() - started) / 1000));
}
