import { z } from 'zod';
import { MAX_SESSION_ID_LENGTH } from '../../transport/index.js';

const text = (max: number) => z.string().min(1).max(max);
const sid = z
  .string()
  .regex(/^[A-Za-z0-9_-]+$/, 'must be one safe subject token (letters, digits, - and _)')
  .max(MAX_SESSION_ID_LENGTH);
const time = z.number().int().nonnegative();

/** A public JWK: the agent's verifying key. A private member (`d`) is refused, never stored. */
const publicJwk = z
  .looseObject({ kty: z.string(), crv: z.string().optional(), x: z.string().optional() })
  .refine((jwk) => !('d' in jwk), 'must be a public key (it holds a private member "d")');

/** The registry entry of one session (KV `trustmesh_sessions`, key = sid). */
export const SessionDescriptorSchema = z
  .object({
    sid,
    principal: text(256),
    purpose: text(128),
    agentPublicKey: publicJwk,
    createdAt: time,
    expiresAt: time,
    /** The task the agent was given: the behaviour monitor does not count its words as drift. */
    task: z.string().max(4096).optional(),
  })
  .refine((d) => d.expiresAt > d.createdAt, {
    message: 'must be after createdAt',
    path: ['expiresAt'],
  });
export type SessionDescriptor = z.infer<typeof SessionDescriptorSchema>;

/** Body of `suspend`, `resume`, `readonly`, `scrutinise` and `kill`: who and why, for the history. */
export const OperatorRequestSchema = z.object({ operator: text(256), reason: text(1024) }).strict();
export type OperatorRequest = z.infer<typeof OperatorRequestSchema>;

/** Longest OIDC ID token an approval may carry (compact JWS; providers' tokens are a few KiB). */
export const MAX_ID_TOKEN_CHARS = 16_384;

/**
 * Body of `approve` (reason optional) and `deny` (reason required). The approver is who the ID token
 * says, as the node verifies it with the identity provider; the request cannot name anyone else.
 */
export const ApproveRequestSchema = z
  .object({ callId: text(128), idToken: text(MAX_ID_TOKEN_CHARS), reason: text(1024).optional() })
  .strict();
export type ApproveRequest = z.infer<typeof ApproveRequestSchema>;
export const DenyRequestSchema = ApproveRequestSchema.required({ reason: true });
export type DenyRequest = z.infer<typeof DenyRequestSchema>;

/** A verified answer, as the node hands it to the session: the approver is the ID token's subject. */
export interface ApprovalAnswer {
  readonly callId: string;
  readonly approver: string;
  readonly reason?: string | undefined;
}

export const ApprovalStatus = {
  Pending: 'pending',
  Approved: 'approved',
  Denied: 'denied',
  TimedOut: 'timed_out',
  /** The session's containment changed (or it was killed) while the call waited. */
  Abandoned: 'abandoned',
} as const;
export type ApprovalStatus = (typeof ApprovalStatus)[keyof typeof ApprovalStatus];

/** One approval (KV `trustmesh_approvals`, key `<sid>.<callId>`), as approvers see it. */
export const ApprovalRecordSchema = z.object({
  sid,
  callId: text(128),
  tool: text(256),
  argsDigest: z.string(),
  /** The arguments with sensitive-looking values redacted and long ones cut. */
  preview: z.string(),
  principal: z.string(),
  purpose: z.string(),
  reason: z.string(),
  requestedAt: time,
  deadline: time,
  status: z.enum(ApprovalStatus),
  /** Subject of the approver's verified ID token. */
  approver: z.string().optional(),
  answer: z.string().optional(),
  settledAt: time.optional(),
});
export type ApprovalRecord = z.infer<typeof ApprovalRecordSchema>;

/** One hosted session as `listSessions` shows it. */
export interface SessionSummary {
  readonly sid: string;
  readonly principal: string;
  readonly purpose: string;
  /** Top-level statechart state (`active`, `readOnly`, …). */
  readonly state: string;
  readonly expiresAt: number;
}

export interface TransitionView {
  readonly from: string | null;
  readonly to: string;
  readonly event: string;
  readonly reason: string;
  readonly at: number;
}

/** The behaviour monitor's view of a session: its risk and what drove it. */
export interface RiskView {
  readonly score: number;
  /** The containment the score reaches on its own under the session's thresholds. */
  readonly level: 'none' | 'scrutinised' | 'readOnly' | 'suspended';
  /** Contributing features and rules, largest first. */
  readonly reasons: readonly string[];
  /** Each feature's level in [0, 1] (rate, sequence, drift, taint, duration, denials, authFailures). */
  readonly features: Readonly<Record<string, number>>;
  /** The baselines the session is judged by; `null` for cold-start defaults. */
  readonly baselineVersion: string | null;
}

/** What `inspect` answers: state, history, usage, risk and the call awaiting approval. */
export interface SessionInspection extends SessionSummary {
  readonly createdAt: number;
  readonly policyVersion: string;
  readonly transitions: readonly TransitionView[];
  /** Per-session and per-tool usage (calls, bytes in/out). */
  readonly counters: {
    readonly session: { readonly calls: number; readonly bytesIn: number; readonly bytesOut: number };
    readonly tools: Readonly<
      Record<string, { readonly calls: number; readonly bytesIn: number; readonly bytesOut: number }>
    >;
  };
  /** Successful calls per tool (what `requires` reads). */
  readonly succeeded: Readonly<Record<string, number>>;
  readonly pendingApproval: ApprovalRecord | null;
  readonly risk: RiskView;
}

/** What every control request is answered with. */
export type ControlReply<T> =
  | { readonly ok: true; readonly result: T }
  | { readonly ok: false; readonly error: { readonly code: string; readonly message: string } };
