import type { JsonWebKey } from 'node:crypto';
import type { Clock } from '../../clock.js';
import { TrustmeshError } from '../../errors.js';
import { publicJwkOf } from '../../pki/key-store.js';
import { SessionTokenIssuer, SessionTokenVerifier } from '../../pki/tokens/index.js';
import type { PolicyBundle } from '../../policy/index.js';

/** `iss` of every session token: the mesh vouches for the session. */
export const SESSION_TOKEN_ISSUER = 'urn:trustmesh:mesh';
/** `aud` of every session token: only the mesh's session actors accept it. */
export const SESSION_TOKEN_AUDIENCE = 'urn:trustmesh:session';

/** The issuer `session create` signs with: the mesh token key from the node state directory. */
export function sessionTokenIssuer(tokenKey: JsonWebKey, clock?: Clock): SessionTokenIssuer {
  return new SessionTokenIssuer({
    key: tokenKey,
    issuer: SESSION_TOKEN_ISSUER,
    audience: SESSION_TOKEN_AUDIENCE,
    ...(clock ? { clock } : {}),
  });
}

/** One verifier per node, shared by its sessions so one token is signature-checked once. */
export function sessionTokenVerifier(
  tokenKey: JsonWebKey,
  isRevoked: (jti: string) => boolean,
  clock?: Clock,
): SessionTokenVerifier {
  return new SessionTokenVerifier({
    keys: [publicJwkOf(tokenKey)],
    issuer: SESSION_TOKEN_ISSUER,
    audience: SESSION_TOKEN_AUDIENCE,
    isRevoked,
    ...(clock ? { clock } : {}),
  });
}

export class SessionGrantError extends TrustmeshError {
  constructor(message: string) {
    super('ERR_SESSION_GRANT', message);
  }
}

/** What a session token carries of the policy: the purpose's tier and the tools it allows, sorted. */
export interface SessionGrant {
  readonly tier: string;
  readonly tools: string[];
}

/** The grant of `purpose` for `principal` in the mesh policy; refuses a purpose the policy cannot grant them. */
export function sessionGrant(policy: PolicyBundle, purpose: string, principal: string): SessionGrant {
  const granted = policy.purposes.get(purpose);
  if (!granted) {
    throw new SessionGrantError(
      `the mesh policy ${policy.version} has no purpose '${purpose}' (it has: ${[...policy.purposes.keys()].join(', ')}); ` +
        "choose one of those, or push a policy that defines it with 'trustmesh policy push'.",
    );
  }
  if (granted.user && granted.user.value !== principal) {
    throw new SessionGrantError(
      `purpose '${purpose}' is granted to ${granted.user.value} only (${granted.user.at}), not ${principal}.`,
    );
  }
  const tools = [...granted.tools.values()].filter((grant) => grant.allowed).map((grant) => grant.key);
  return { tier: granted.tier, tools: tools.sort() };
}
