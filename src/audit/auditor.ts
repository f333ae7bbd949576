import type { Clock } from '../clock.js';
import { systemClock } from '../clock.js';
import type { AuditLog } from './log/index.js';
import type { AuditEntry, AuditRecord } from './record.js';
import { Redactor } from './redact/index.js';

/** One call as the call path describes it: raw arguments, time optional. */
export type CallAudit = Omit<AuditEntry, 'time' | 'arguments'> & {
  /** ISO 8601. @default the auditor's clock */
  readonly time?: string;
  /** Raw call arguments; redacted before they reach the log. */
  readonly arguments: unknown;
};

export interface AuditorOptions {
  readonly log: AuditLog;
  /** @default a Redactor with the default rules */
  readonly redactor?: Redactor;
  /** @default systemClock */
  readonly clock?: Clock;
}

/**
 * What the call path calls, once per decided call and once per result: redacts, chains and writes
 * the record, and resolves only when it is durable. A rejection (`ERR_AUDIT_UNAVAILABLE`) means the
 * call must not run.
 */
export class Auditor {
  readonly #log: AuditLog;
  readonly #redactor: Redactor;
  readonly #clock: Clock;

  constructor(options: AuditorOptions) {
    this.#log = options.log;
    this.#redactor = options.redactor ?? new Redactor();
    this.#clock = options.clock ?? systemClock;
  }

  record(call: CallAudit): Promise<AuditRecord> {
    return this.#log.append({
      ...call,
      time: call.time ?? new Date(this.#clock()).toISOString(),
      arguments: this.#redactor.redact(call.arguments),
      // Reasons quote arguments ("path .env is excluded"), so the same string rules apply.
      reason: this.#redactor.redactString(call.reason),
    });
  }
}
