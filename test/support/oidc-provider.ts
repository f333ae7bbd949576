import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';

/** What a test may change about an ID token; by default a valid one for `user-bob` with MFA. */
export interface IdTokenOptions {
  issuer?: string;
  audience?: string;
  subject?: string;
  /** Unix seconds. @default now - 60 */
  iat?: number;
  /** Unix seconds. @default now + 600 */
  exp?: number;
  /** Sign with a key the provider does not publish (same kid). @default false */
  foreignKey?: boolean;
}

export interface OidcProvider {
  /** `http://127.0.0.1:<port>`: the discovery document and the JWKS live under it. */
  readonly issuer: string;
  /** The audience tokens are issued for unless told otherwise. */
  readonly audience: string;
  /** How many times the JWKS was fetched. */
  readonly jwksRequests: number;
  /** An ID token with `claims` (e.g. `amr`, `email`), signed with the provider's key (ES256). */
  sign(claims: JWTPayload, options?: IdTokenOptions): Promise<string>;
  stop(): Promise<void>;
}

export const APPROVER_AUDIENCE = 'trustmesh-approvals';

/** A local OpenID provider on 127.0.0.1: discovery document, JWKS, and a signer for its ID tokens. */
export async function startOidcProvider(now: () => number = Date.now): Promise<OidcProvider> {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const foreign = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'idp-key-1', alg: 'ES256', use: 'sig' };
  let jwksRequests = 0;
  let issuer = '';
  const server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/.well-known/openid-configuration') {
      res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks` }));
    } else if (req.url === '/jwks') {
      jwksRequests++;
      res.end(JSON.stringify({ keys: [jwk] }));
    } else {
      res.statusCode = 404;
      res.end('{}');
    }
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    audience: APPROVER_AUDIENCE,
    get jwksRequests() {
      return jwksRequests;
    },
    sign(claims, options = {}) {
      const seconds = Math.floor(now() / 1000);
      return new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256', kid: 'idp-key-1' })
        .setIssuer(options.issuer ?? issuer)
        .setAudience(options.audience ?? APPROVER_AUDIENCE)
        .setSubject(options.subject ?? 'user-bob')
        .setIssuedAt(options.iat ?? seconds - 60)
        .setExpirationTime(options.exp ?? seconds + 600)
        .sign(options.foreignKey ? foreign.privateKey : privateKey);
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
