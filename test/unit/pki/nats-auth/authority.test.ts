import { chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createNatsAuthority,
  decodeNatsJwt,
  NkeyRole,
  natsAuthFiles,
  parseNatsAuthorityOptions,
} from '../../../../src/pki/nats-auth/index.js';

const NOW = Date.UTC(2030, 0, 1);
const clock = () => NOW;
let stateDir: string;

beforeEach(async () => {
  stateDir = join(await mkdtemp(join(tmpdir(), 'trustmesh-nats-auth-unit-')), 'state');
});
afterEach(() => rm(join(stateDir, '..'), { recursive: true, force: true }));

describe('the authority state directory', () => {
  it('keeps every key and JWT file readable by its owner only', async () => {
    await createNatsAuthority({ stateDir, clock });
    for (const path of Object.values(natsAuthFiles(stateDir)).filter(
      (p) => !p.endsWith('revocations.json'),
    )) {
      expect(((await stat(path)).mode & 0o777).toString(8), path).toBe('600');
    }
    expect(((await stat(join(stateDir, 'keys'))).mode & 0o777).toString(8)).toBe('700');
  });

  it('comes back with the same operator and accounts, and writes JWTs the operator chain verifies', async () => {
    const first = await createNatsAuthority({ stateDir, clock });
    const again = await createNatsAuthority({ stateDir, clock });
    expect(again.operatorPublicKey).toBe(first.operatorPublicKey);
    expect(again.meshAccount).toBe(first.meshAccount);
    const files = natsAuthFiles(stateDir);
    const operator = decodeNatsJwt((await readFile(files.operatorJwt, 'utf8')).trim(), NkeyRole.Operator);
    expect(operator).toMatchObject({
      sub: first.operatorPublicKey,
      nats: { system_account: first.systemAccount },
    });
    const mesh = decodeNatsJwt((await readFile(files.meshJwt, 'utf8')).trim(), NkeyRole.Operator);
    expect(mesh.sub).toBe(first.meshAccount);
    expect(operator.nats.type === 'operator' && operator.nats.signing_keys).toEqual([mesh.iss]);
  });

  it('refuses a seed file other users can read', async () => {
    await createNatsAuthority({ stateDir, clock });
    await chmod(natsAuthFiles(stateDir).meshSigningSeed, 0o644);
    await expect(createNatsAuthority({ stateDir, clock })).rejects.toMatchObject({
      code: 'ERR_NATS_AUTH_STATE',
      message: expect.stringContaining('chmod 600'),
    });
  });
});

describe('issuing users', () => {
  it('signs session users with the mesh signing key, expiring with the session', async () => {
    const authority = await createNatsAuthority({ stateDir, clock });
    const user = authority.issueSessionUser({ sid: 'abc', expiresAt: NOW + 3_600_000 });
    const claims = decodeNatsJwt(user.jwt, NkeyRole.Account);
    expect(claims).toMatchObject({
      sub: user.publicKey,
      name: 'session:abc',
      exp: (NOW + 3_600_000) / 1000,
      nats: { type: 'user', issuer_account: authority.meshAccount, pub: { allow: ['tm.s.abc.>'] }, subs: 64 },
    });
    expect(user.creds).toContain(`-----BEGIN NATS USER JWT-----\n${user.jwt}\n`);
    expect(user.creds).toContain(`-----BEGIN USER NKEY SEED-----\n${user.seed}\n`);
    expect(authority.issueSessionUser({ sid: 'abc', expiresAt: NOW + 1000 }).publicKey).not.toBe(
      user.publicKey,
    );
  });

  it.each(['a.b', '*', '>', 'tm.s.x', '', 'a b'])(
    'refuses session id %j, which would widen its permissions',
    async (sid) => {
      const authority = await createNatsAuthority({ stateDir, clock });
      expect(() => authority.issueSessionUser({ sid, expiresAt: NOW + 1000 })).toThrow(
        expect.objectContaining({ code: 'ERR_NATS_AUTH_INPUT' }),
      );
      expect(() => authority.issueBrokerUser({ server: sid })).toThrow(
        expect.objectContaining({ code: 'ERR_NATS_AUTH_INPUT' }),
      );
    },
  );

  it('refuses a session expiry in the past or beyond the longest user lifetime', async () => {
    const authority = await createNatsAuthority({ stateDir, clock, maxUserTtlMs: 60_000 });
    const input = { code: 'ERR_NATS_AUTH_INPUT' };
    expect(() => authority.issueSessionUser({ sid: 'abc', expiresAt: NOW })).toThrow(
      expect.objectContaining(input),
    );
    expect(() => authority.issueSessionUser({ sid: 'abc', expiresAt: NOW + 60_001 })).toThrow(/maxUserTtlMs/);
    expect(authority.issueNodeUser({ nodeId: 'n1' }).expiresAt).toBe(NOW + 60_000);
  });

  it('puts claims pushers in the system account, apart from every mesh user', async () => {
    const authority = await createNatsAuthority({ stateDir, clock });
    const claims = decodeNatsJwt(authority.issueClaimsPusher().jwt, NkeyRole.Account);
    expect(claims.nats).toMatchObject({ issuer_account: authority.systemAccount });
    expect(authority.systemAccount).not.toBe(authority.meshAccount);
  });

  it('refuses to revoke something that is not a user key, without echoing it', async () => {
    const authority = await createNatsAuthority({ stateDir, clock });
    const seed = authority.issueSessionUser({ sid: 'abc', expiresAt: NOW + 1000 }).seed;
    const revoking = () => authority.revokeUser(seed, undefined as never);
    expect(revoking).toThrow(expect.objectContaining({ code: 'ERR_NATS_AUTH_KEY' }));
    expect(revoking).not.toThrow(seed);
  });
});

describe('server configuration', () => {
  it('names the operator, the system account and preloads both accounts in a full resolver', async () => {
    const authority = await createNatsAuthority({ stateDir, clock });
    const config = authority.serverConfig({ resolverDir: '/var/lib/nats/jwt' });
    const files = natsAuthFiles(stateDir);
    expect(config).toContain(`operator: "${(await readFile(files.operatorJwt, 'utf8')).trim()}"`);
    expect(config).toContain(`system_account: "${authority.systemAccount}"`);
    expect(config).toMatch(/resolver: \{\n {2}type: full\n {2}dir: "\/var\/lib\/nats\/jwt"/);
    expect(config).toContain(
      `"${authority.meshAccount}": "${(await readFile(files.meshJwt, 'utf8')).trim()}"`,
    );
    expect(authority.serverConfig()).toContain(`dir: "${join(stateDir, 'resolver')}"`);
  });
});

describe('options', () => {
  it('apply documented defaults', () => {
    expect(parseNatsAuthorityOptions({ stateDir: '/s' })).toMatchObject({
      maxUserTtlMs: 86_400_000,
      responseTtlMs: 600_000,
      sessionMaxSubscriptions: 64,
      jetstream: true,
      pushTimeoutMs: 5_000,
    });
  });

  it.each([
    [{ stateDir: '' }, /stateDir is required/],
    [{ stateDir: '/s', maxUserTtlMs: 999 }, /maxUserTtlMs/],
    [{ stateDir: '/s', responseTtlMs: 1.5e3 + 0.5 }, /responseTtlMs/],
    [{ stateDir: '/s', sessionMaxSubscriptions: 2 }, /sessionMaxSubscriptions/],
  ])('refuse %j', (options, message) => {
    expect(() => parseNatsAuthorityOptions(options)).toThrow(message);
  });
});
