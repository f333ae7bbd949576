import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  loadNodeState,
  loadTokenKey,
  NodeStateError,
  nodeStatePaths,
  SESSION_TOKEN_AUDIENCE,
  SESSION_TOKEN_ISSUER,
  SessionGrantError,
  sessionGrant,
  sessionTokenIssuer,
  sessionTokenVerifier,
} from '../../../../src/actors/node/index.js';
import { TokenErrorCode } from '../../../../src/pki/tokens/index.js';
import { parsePolicy } from '../../../../src/policy/index.js';
import { generateKeyPair, jwkThumbprint, newSessionId } from '../../../../src/transport/index.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'trustmesh-node-tokens-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('the mesh session-token key', () => {
  it('is created with the node state (0600) and read back, never created, by loadTokenKey', async () => {
    await expect(loadTokenKey(dir)).rejects.toBeInstanceOf(NodeStateError);
    const { tokenKey } = await loadNodeState(dir);
    expect((await stat(nodeStatePaths(dir).tokenKey)).mode & 0o777).toBe(0o600);
    expect(await loadTokenKey(dir)).toEqual(tokenKey);
  });

  it('refuses a public key where the private one belongs', async () => {
    await loadNodeState(dir);
    await writeFile(nodeStatePaths(dir).tokenKey, JSON.stringify(generateKeyPair('ed25519').publicJwk));
    await expect(loadTokenKey(dir)).rejects.toThrow(/not a private JWK/);
  });

  it('issues tokens the node verifier accepts only for their session and agent key', async () => {
    const { tokenKey } = await loadNodeState(dir);
    const agent = generateKeyPair('ed25519');
    const sid = newSessionId();
    const { token, claims } = await sessionTokenIssuer(tokenKey).issue({
      sessionId: sid,
      principal: 'alice',
      purpose: 'review',
      tier: 'policy',
      tools: [],
      agentKey: agent.publicJwk,
    });
    expect(claims).toMatchObject({ iss: SESSION_TOKEN_ISSUER, aud: SESSION_TOKEN_AUDIENCE, sub: sid });
    const revoked = new Set<string>();
    const verifier = sessionTokenVerifier(tokenKey, (jti) => revoked.has(jti));
    const keyId = jwkThumbprint(agent.publicJwk);
    await expect(verifier.verify(token, { sessionId: sid, keyId })).resolves.toMatchObject({ sub: sid });
    await expect(verifier.verify(token, { sessionId: newSessionId(), keyId })).rejects.toMatchObject({
      code: TokenErrorCode.WrongSession,
    });
    revoked.add(claims.jti);
    await expect(verifier.verify(token, { sessionId: sid, keyId })).rejects.toMatchObject({
      code: TokenErrorCode.Revoked,
    });
  });
});

describe('sessionGrant: what a session token carries of the policy', () => {
  const policy = parsePolicy([
    {
      name: 'p.yaml',
      text: `catalogue:
  github:
    tools:
      get_pull_request: { effect: read }
      merge_pull_request: { effect: write }
purposes:
  release:
    tier: privileged
    tools:
      github.merge_pull_request: { allowed: true, approval: required }
      github.get_pull_request: { allowed: true, approval: required }
  review:
    tools:
      github.get_pull_request: { allowed: true }
      github.merge_pull_request: { allowed: false }
`,
    },
  ]);

  it("names the purpose's tier and only its allowed tools, sorted", () => {
    expect(sessionGrant(policy, 'release', 'alice')).toEqual({
      tier: 'privileged',
      tools: ['github.get_pull_request', 'github.merge_pull_request'],
    });
    expect(sessionGrant(policy, 'review', 'alice')).toEqual({
      tier: 'standard',
      tools: ['github.get_pull_request'],
    });
  });

  it('refuses a purpose the policy does not define, naming the ones it does', () => {
    expect(() => sessionGrant(policy, 'deploy', 'alice')).toThrow(SessionGrantError);
    expect(() => sessionGrant(policy, 'deploy', 'alice')).toThrow(/it has: release, review/);
  });
});
