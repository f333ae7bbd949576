import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify } from 'jose';
import { type Clock, systemClock } from '../../clock.js';
import { discoverJwksUri } from './discovery.js';
import { ApproverError, ApproverErrorCode, ApproverOptionsError } from './errors.js';

export interface ApproverVerifierOptions {
  /** The identity provider's issuer URL, exactly as its ID tokens carry it. */
  issuer: string;
  /** Our client id at the provider: the ID token's `aud`. */
  audience: string;
  /** JWKS URL. @default discovered from `<issuer>/.well-known/openid-configuration` */
  jwksUri?: string;
  /** `amr` values (RFC 8176) that count as multi-factor. @default DEFAULT_MFA_METHODS */
  mfaMethods?: string[];
  /** Signature algorithms accepted. @default ['RS256', 'PS256', 'ES256', 'EdDSA'] */
  algorithms?: string[];
  /** Clock skew tolerated on exp, nbf and iat. @default 30_000 */
  clockToleranceMs?: number;
  /** Timeout for discovery and JWKS fetches. @default 5_000 */
  fetchTimeoutMs?: number;
  /** @default systemClock */
  clock?: Clock;
}

/** Methods that are themselves multi-factor or a possession factor beyond a password (RFC 8176). */
export const DEFAULT_MFA_METHODS = ['mfa', 'mca', 'otp', 'hwk', 'sc'] as const;
const DEFAULT_ALGORITHMS = ['RS256', 'PS256', 'ES256', 'EdDSA'];

/** Who approved, as the identity provider vouches for them. */
export interface ApproverIdentity {
  issuer: string;
  subject: string;
  email?: string;
  amr: string[];
}

/** What the approval is about: whose session it is. */
export interface ApprovalContext {
  /** Principal that created the session (subject or e-mail address). */
  sessionPrincipal: string;
}

type JwksResolver = ReturnType<typeof createRemoteJWKSet>;

/** Verifies human approvers' OIDC ID tokens: signature via the provider's JWKS, claims, MFA, no self-approval. */
export class ApproverVerifier {
  readonly #options: Required<Omit<ApproverVerifierOptions, 'jwksUri'>> & { jwksUri?: string };
  #jwks: Promise<JwksResolver> | undefined;

  constructor(options: ApproverVerifierOptions) {
    if (!options.issuer || !options.audience)
      throw new ApproverOptionsError(
        'issuer and audience are required: give the provider URL and our client id.',
      );
    const mfaMethods = options.mfaMethods ?? [...DEFAULT_MFA_METHODS];
    if (mfaMethods.length === 0)
      throw new ApproverOptionsError(
        'mfaMethods is empty: no approver could ever qualify; list the amr values to accept.',
      );
    const algorithms = options.algorithms ?? DEFAULT_ALGORITHMS;
    const weak = algorithms.find((alg) => alg === 'none' || alg.startsWith('HS'));
    if (weak)
      throw new ApproverOptionsError(
        `algorithm '${weak}' cannot authenticate a provider's ID token; remove it.`,
      );
    this.#options = {
      issuer: options.issuer,
      audience: options.audience,
      jwksUri: options.jwksUri,
      mfaMethods,
      algorithms,
      clockToleranceMs: options.clockToleranceMs ?? 30_000,
      fetchTimeoutMs: options.fetchTimeoutMs ?? 5_000,
      clock: options.clock ?? systemClock,
    };
  }

  /** Resolves to the approver when the token is valid, shows MFA and is not the session's own principal. */
  async verify(idToken: string, context: ApprovalContext): Promise<ApproverIdentity> {
    const { issuer, audience, algorithms, clockToleranceMs, clock, mfaMethods } = this.#options;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(idToken, await this.#resolver(), {
        issuer,
        audience,
        algorithms,
        clockTolerance: Math.round(clockToleranceMs / 1000),
        currentDate: new Date(clock()),
        requiredClaims: ['sub', 'exp', 'iat'],
      }));
    } catch (cause) {
      throw toApproverError(cause);
    }
    const amr = Array.isArray(payload.amr)
      ? payload.amr.filter((m): m is string => typeof m === 'string')
      : [];
    if (!amr.some((method) => mfaMethods.includes(method)))
      refuse(
        ApproverErrorCode.Mfa,
        `the approver signed in with [${amr.join(', ')}], without multi-factor authentication; sign in again with MFA`,
      );
    const subject = payload.sub as string;
    const email = typeof payload.email === 'string' ? payload.email : undefined;
    const principal = context.sessionPrincipal.toLowerCase();
    if (subject.toLowerCase() === principal || email?.toLowerCase() === principal)
      refuse(
        ApproverErrorCode.SelfApproval,
        `${context.sessionPrincipal} cannot approve a call of their own session; ask another approver`,
      );
    return { issuer, subject, ...(email === undefined ? {} : { email }), amr };
  }

  #resolver(): Promise<JwksResolver> {
    const { jwksUri, issuer, fetchTimeoutMs } = this.#options;
    this.#jwks ??= (
      jwksUri ? Promise.resolve(new URL(jwksUri)) : discoverJwksUri(issuer, fetchTimeoutMs)
    ).then((url) => createRemoteJWKSet(url, { timeoutDuration: fetchTimeoutMs }));
    // A failed discovery is retried on the next approval rather than remembered.
    this.#jwks.catch(() => {
      this.#jwks = undefined;
    });
    return this.#jwks;
  }
}

function refuse(code: ApproverErrorCode, what: string): never {
  throw new ApproverError(code, `Approval refused: ${what}.`);
}

function toApproverError(cause: unknown): ApproverError {
  if (cause instanceof ApproverError) return cause;
  const [code, what] = classify(cause);
  return new ApproverError(code, `Approval refused: ${what}.`, { cause });
}

function classify(cause: unknown): [ApproverErrorCode, string] {
  if (cause instanceof errors.JWTExpired)
    return [ApproverErrorCode.Expired, 'the ID token has expired; sign in again'];
  if (cause instanceof errors.JWTClaimValidationFailed) {
    if (cause.claim === 'iss')
      return [ApproverErrorCode.Issuer, 'the ID token comes from another identity provider'];
    if (cause.claim === 'aud')
      return [ApproverErrorCode.Audience, 'the ID token was issued for another client'];
    if (cause.claim === 'nbf' || cause.claim === 'iat')
      return [ApproverErrorCode.NotYetValid, 'the ID token is not valid yet; check the clocks'];
    return [ApproverErrorCode.Malformed, `the ID token claim '${cause.claim}' is missing or invalid`];
  }
  if (
    cause instanceof errors.JWSSignatureVerificationFailed ||
    cause instanceof errors.JWKSNoMatchingKey ||
    cause instanceof errors.JOSEAlgNotAllowed
  )
    return [ApproverErrorCode.Signature, 'the ID token is not signed by the identity provider'];
  if (
    cause instanceof errors.JWKSTimeout ||
    cause instanceof errors.JWKSInvalid ||
    cause instanceof TypeError
  )
    return [
      ApproverErrorCode.Provider,
      "the identity provider's keys could not be fetched; try again shortly",
    ];
  return [ApproverErrorCode.Malformed, 'the ID token is not a signed JWT'];
}
