import { TrustmeshError } from '../errors.js';

/** Why auditing failed. Stable strings: callers `switch (err.code)`. */
export const AuditErrorCode = {
  /** The local log cannot be written or synced; nothing is audited, so no call may run. */
  Unavailable: 'ERR_AUDIT_UNAVAILABLE',
  /** A record (or entry to record) that does not match the audit schema. */
  InvalidRecord: 'ERR_AUDIT_INVALID_RECORD',
  /** Options that cannot work (a non-positive size, an unknown redaction setting, …). */
  InvalidOptions: 'ERR_AUDIT_OPTIONS',
  /** Records could not be shipped to the audit stream; they stay in the local log for the next try. */
  Ship: 'ERR_AUDIT_SHIP',
} as const;
export type AuditErrorCode = (typeof AuditErrorCode)[keyof typeof AuditErrorCode];

/** The only error the audit subsystem throws. */
export class AuditError extends TrustmeshError {
  declare readonly code: AuditErrorCode;

  constructor(code: AuditErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
