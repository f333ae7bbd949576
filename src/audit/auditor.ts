import type { Clock } from '../clock.js';
import { systemClock } from '../clock.js';
import type { AuditLog } from './log/index.js';
import type { AuditEntry, AuditRecord } from './record.js';
import { type RedactionOptions, Redactor } from './redact/index.js';
import { normalisePath } from './redact/options.js';

/** Keys (or dotted paths) one call's policy keeps as they are or drops, on top of the auditor's rules. */
export interface CallRedaction {
  readonly keep: readonly string[];
  readonly drop: readonly string[];
}

/** One call as the call path describes it: raw arguments, time optional. */
export type CallAudit = Omit<AuditEntry, 'time' | 'arguments'> & {
  /** ISO 8601. @default the auditor's clock */
  readonly time?: string;
  /** Raw call arguments; redacted before they reach the log. */
  readonly arguments: unknown;
  /** What the policy says to keep or drop for this call's tool. @default nothing more */
  readonly redaction?: CallRedaction;
};

export interface AuditorOptions {
  readonly log: AuditLog;
  /** The rules for every call (configured keys, keep, drop). @default the default rules */
  readonly redaction?: RedactionOptions;
  /** @default systemClock */
  readonly clock?: Clock;
}

// One redactor per distinct policy redaction; a policy has few, so the cache is only a backstop.
const MAX_REDACTORS = 256;

/**
 * What the call path calls, once per decided call and once per result: redacts, chains and writes
 * the record, and resolves only when it is durable. A rejection (`ERR_AUDIT_UNAVAILABLE`) means the
 * call must not run.
 */
export class Auditor {
  readonly #log: AuditLog;
  readonly #options: RedactionOptions;
  readonly #redactor: Redactor;
  readonly #byPolicy = new Map<string, Redactor>();
  readonly #clock: Clock;

  constructor(options: AuditorOptions) {
    this.#log = options.log;
    this.#options = options.redaction ?? {};
    this.#redactor = new Redactor(this.#options);
    this.#clock = options.clock ?? systemClock;
  }

  record(call: CallAudit): Promise<AuditRecord> {
    const { redaction, ...entry } = call;
    const redactor = this.#redactorFor(redaction);
    return this.#log.append({
      ...entry,
      time: call.time ?? new Date(this.#clock()).toISOString(),
      arguments: redactor.redact(call.arguments),
      // Reasons quote arguments ("path .env is excluded"), so the same string rules apply.
      reason: redactor.redactString(call.reason),
    });
  }

  /** The auditor's rules plus the call's: what either drops is dropped, even if the other keeps it. */
  #redactorFor(redaction: CallRedaction | undefined): Redactor {
    if (!redaction || (redaction.keep.length === 0 && redaction.drop.length === 0)) return this.#redactor;
    const id = JSON.stringify(redaction);
    let redactor = this.#byPolicy.get(id);
    if (!redactor) {
      const drop = [...(this.#options.drop ?? []), ...redaction.drop];
      const dropped = new Set(drop.map(normalisePath));
      const keep = [...(this.#options.keep ?? []), ...redaction.keep].filter(
        (k) => !dropped.has(normalisePath(k)),
      );
      redactor = new Redactor({ ...this.#options, keep, drop });
      if (this.#byPolicy.size >= MAX_REDACTORS) this.#byPolicy.clear();
      this.#byPolicy.set(id, redactor);
    }
    return redactor;
  }
}
