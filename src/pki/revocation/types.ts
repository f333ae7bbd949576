import { TrustmeshError } from '../../errors.js';

/** What was revoked: a certificate (by serial) or a session token (by jti). */
export const RevocationKind = { Certificate: 'cert', Token: 'token' } as const;
export type RevocationKind = (typeof RevocationKind)[keyof typeof RevocationKind];

export interface Revocation {
  kind: RevocationKind;
  /** Lower-hex certificate serial, or token jti (base64url). */
  id: string;
  reason: string;
  /** ISO 8601. */
  revokedAt: string;
}

export interface RevocationRequest {
  kind: RevocationKind;
  id: string;
  /** @default 'unspecified' */
  reason?: string;
}

/**
 * Revoked certificates and tokens, read on every use: `isRevoked` answers from memory, synchronously,
 * so it can sit on the per-call path; each implementation keeps that memory current.
 */
export interface RevocationList {
  revoke(request: RevocationRequest): Promise<Revocation>;
  isRevoked(id: string): boolean;
  list(): Revocation[];
  close(): Promise<void>;
}

export class RevocationError extends TrustmeshError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_REVOCATION', message, options);
  }
}

// Serials are hex and jtis base64url: both fit a KV key token, and nothing else is accepted.
const ID = /^[A-Za-z0-9_-]{1,128}$/;

/** Validates a request and stamps it; serials are compared in lower case. */
export function toRevocation(request: RevocationRequest, now: number): Revocation {
  if (request.kind !== RevocationKind.Certificate && request.kind !== RevocationKind.Token)
    throw new RevocationError(`revocation kind '${String(request.kind)}' is not 'cert' or 'token'.`);
  if (!ID.test(request.id ?? ''))
    throw new RevocationError(
      `'${request.id}' is not a certificate serial (hex) or a token jti (base64url).`,
    );
  return {
    kind: request.kind,
    id: request.kind === RevocationKind.Certificate ? request.id.toLowerCase() : request.id,
    reason: request.reason?.trim() || 'unspecified',
    revokedAt: new Date(now).toISOString(),
  };
}

/** Parses a stored entry; anything else is ignored by the caller rather than trusted. */
export function parseRevocation(value: unknown): Revocation | undefined {
  const entry = value as Partial<Revocation> | null;
  const ok =
    typeof entry === 'object' &&
    entry !== null &&
    (entry.kind === RevocationKind.Certificate || entry.kind === RevocationKind.Token) &&
    typeof entry.id === 'string' &&
    ID.test(entry.id) &&
    typeof entry.reason === 'string' &&
    typeof entry.revokedAt === 'string';
  return ok ? (entry as Revocation) : undefined;
}
