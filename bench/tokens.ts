import { createHash } from 'node:crypto';
import { newPrivateJwk, publicJwkOf } from '../src/pki/key-store.js';
import { SessionTokenIssuer, SessionTokenVerifier } from '../src/pki/tokens/index.js';
import { generateKeyPair } from '../src/transport/envelope/index.js';

const CACHED_ITERATIONS = 200_000;
const COLD_ITERATIONS = 2_000;
const ISSUER = 'trustmesh:bench';
const AUDIENCE = 'trustmesh:sessions';

/**
 * Session token verification per call (µs): cached (signature checked once per token text, then time,
 * session, key binding and revocation on every call) and cold (cache off: header, EdDSA signature
 * and claims on every call; the issuer key is imported once either way). `token_cache_key_*_us` compare the two cache keys the design weighed.
 */
export async function benchTokens(): Promise<Record<string, number>> {
  const key = newPrivateJwk();
  const agent = generateKeyPair('ed25519');
  const issuer = new SessionTokenIssuer({ key, issuer: ISSUER, audience: AUDIENCE });
  const { token, claims } = await issuer.issue({
    sessionId: 'bench-session',
    principal: 'bench@example.com',
    purpose: 'code-review',
    tier: 'standard',
    tools: ['github.get_pull_request', 'github.create_comment', 'fs.read_file'],
    agentKey: agent.publicJwk,
  });
  const use = { sessionId: claims.sub, keyId: agent.verifyingKey.kid };
  const options = { keys: [publicJwkOf(key)], issuer: ISSUER, audience: AUDIENCE };
  const verifier = new SessionTokenVerifier(options);
  const cached = await timeAsync(CACHED_ITERATIONS, () => verifier.verify(token, use));
  const uncached = new SessionTokenVerifier({ ...options, maxCacheEntries: 0 });
  const cold = await timeAsync(COLD_ITERATIONS, () => uncached.verify(token, use));
  return {
    token_verify_cached_us: cached,
    token_verify_cold_us: cold,
    ...cacheKeyCosts(token),
  };
}

/** A Map lookup keyed by the token text (each call a fresh string, as off the wire) vs by its SHA-256. */
function cacheKeyCosts(token: string): Record<string, number> {
  const byText = new Map([[token, 1]]);
  const digest = (text: string) => createHash('sha256').update(text).digest('base64url');
  const byDigest = new Map([[digest(token), 1]]);
  const fresh = () => Buffer.from(token).toString('latin1');
  return {
    token_cache_key_text_us: timeSync(CACHED_ITERATIONS, () => byText.get(fresh())),
    token_cache_key_sha256_us: timeSync(CACHED_ITERATIONS, () => byDigest.get(digest(fresh()))),
    token_cache_key_copy_us: timeSync(CACHED_ITERATIONS, fresh),
  };
}

async function timeAsync(iterations: number, run: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < iterations / 10; i++) await run();
  const started = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) await run();
  return perCall(started, iterations);
}

function timeSync(iterations: number, run: () => unknown): number {
  for (let i = 0; i < iterations / 10; i++) run();
  const started = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) run();
  return perCall(started, iterations);
}

function perCall(started: bigint, iterations: number): number {
  return Math.round(Number(process.hrtime.bigint() - started) / iterations / 10) / 100;
}
