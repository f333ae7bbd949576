import { z } from 'zod';
import { SessionState, Verdict } from '../policy/vocabulary.js';

/** Version of the record layout; a reader refuses versions it does not know. */
export const AUDIT_RECORD_VERSION = 1;

/** What became of a call. `unknown`: it was allowed and started, and no result was recorded. */
export const AuditOutcome = { Ok: 'ok', Error: 'error', Denied: 'denied', Unknown: 'unknown' } as const;
export type AuditOutcome = (typeof AuditOutcome)[keyof typeof AuditOutcome];

const HASH = /^[0-9a-f]{64}$/;

/** `prev` of a session's first record: no record comes before it. */
export const GENESIS_HASH = '0'.repeat(64);

const count = z.number().int().nonnegative();

/** What the call path knows about one call; the log adds the chain fields. */
export const AuditEntrySchema = z.strictObject({
  /** ISO 8601 time the call was decided (or finished, for a result record). */
  time: z.iso.datetime(),
  session: z.string().min(1),
  /** Ties a call's records together: the one written before it runs and the one with its result. */
  call: z.string().min(1),
  principal: z.string(),
  purpose: z.string(),
  /** `server.tool`, or `server` plus the MCP method for calls other than tools/call. */
  tool: z.string().min(1),
  /** Already redacted: the log never sees raw arguments. */
  arguments: z.unknown(),
  decision: z.enum([Verdict.Allow, Verdict.Deny, Verdict.NeedsApproval]),
  reason: z.string(),
  rule: z.string().nullable(),
  policyVersion: z.string(),
  state: z.enum([
    SessionState.Active,
    SessionState.Scrutinised,
    SessionState.ReadOnly,
    SessionState.Suspended,
    SessionState.Reauth,
    // A terminated session still refuses what its agent sends; those refusals are recorded too.
    'terminated',
  ]),
  bytesIn: count,
  bytesOut: count,
  latencyMs: z.number().nonnegative(),
  outcome: z.enum([AuditOutcome.Ok, AuditOutcome.Error, AuditOutcome.Denied, AuditOutcome.Unknown]),
  /** W3C trace id (32 lowercase hex), when the call was traced. */
  traceId: z
    .string()
    .regex(/^[0-9a-f]{32}$/)
    .nullable(),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

/** One line of the log: an entry plus its place in the session's hash chain. */
export const AuditRecordSchema = AuditEntrySchema.extend({
  v: z.literal(AUDIT_RECORD_VERSION),
  /** 1 for a session's first record, then one more per record. */
  seq: z.number().int().positive(),
  /** `hash` of the session's previous record; `GENESIS_HASH` for the first. */
  prev: z.string().regex(HASH),
  /** SHA-256 (hex) of the canonical JSON of this record without `hash`. */
  hash: z.string().regex(HASH),
}).strict();
export type AuditRecord = z.infer<typeof AuditRecordSchema>;
