import { randomUUID } from 'node:crypto';
import type { JSONRPCRequest } from '@modelcontextprotocol/sdk/types.js';
import type { SessionStatus } from '../../../statecharts/index.js';
import { AuditOutcome, type AuditRecord, type CallAudit, type CallRedaction } from '../../audit/index.js';
import { Verdict } from '../../policy/index.js';
import { currentTraceId } from '../../telemetry/index.js';
import { jsonBytes } from './forward.js';

/** Where a session's records go: the node's `Auditor` (redacts, chains, resolves once durable). */
export interface SessionAuditor {
  record(call: CallAudit): Promise<AuditRecord>;
}

/** One request as the audit describes it, the same in every record of the call. */
export interface AuditedCall {
  readonly callId: string;
  /** `server.tool`, or `server.method` for the other mediated methods. */
  readonly tool: string;
  /** The agent's arguments, raw: the auditor redacts them. */
  readonly args: unknown;
  readonly bytesIn: number;
  /** W3C trace id of the call's span. @default the active span's, if any */
  readonly traceId?: string | null;
}

/** How the call was decided. */
export interface AuditedVerdict {
  readonly decision: Verdict;
  readonly reason: string;
  readonly rule: string | null;
  readonly policyVersion: string;
  readonly state: SessionStatus;
}

/** What became of it. A decision record of an allowed call says `unknown`: it has not run yet. */
export interface AuditedOutcome {
  readonly outcome: AuditOutcome;
  readonly bytesOut: number;
  readonly latencyMs: number;
}

/**
 * The session's audit trail: every record of the session names its principal and purpose. With no
 * auditor (a node measuring what audit costs) nothing is written and every record "succeeds".
 */
export class SessionAuditTrail {
  readonly #auditor: SessionAuditor | null;
  readonly #who: { readonly session: string; readonly principal: string; readonly purpose: string };

  /** What the policy says to keep or drop in the arguments of a tool. */
  readonly #redaction: (tool: string) => CallRedaction | undefined;

  constructor(
    auditor: SessionAuditor | null,
    who: { readonly sid: string; readonly principal: string; readonly purpose: string },
    redaction: (tool: string) => CallRedaction | undefined,
  ) {
    this.#auditor = auditor;
    this.#redaction = redaction;
    this.#who = { session: who.sid, principal: who.principal, purpose: who.purpose };
  }

  /** Resolves once the record is durable; rejects (`ERR_AUDIT_UNAVAILABLE`) when it cannot be. */
  async record(call: AuditedCall, verdict: AuditedVerdict, outcome: AuditedOutcome): Promise<void> {
    if (this.#auditor === null) return;
    const redaction = this.#redaction(call.tool);
    await this.#auditor.record({
      ...(redaction ? { redaction } : {}),
      ...this.#who,
      call: call.callId,
      tool: call.tool || '(none)',
      arguments: call.args,
      bytesIn: call.bytesIn,
      traceId: call.traceId === undefined ? (currentTraceId() ?? null) : call.traceId,
      ...verdict,
      ...outcome,
    });
  }

  /** A request refused before anything was decided (its session token): recorded as a denied call. */
  refused(request: JSONRPCRequest, why: Omit<AuditedVerdict, 'decision'>): Promise<void> {
    const params = request.params ?? {};
    const toolCall = request.method === 'tools/call' && typeof params.name === 'string';
    const call = {
      callId: randomUUID(),
      tool: toolCall ? (params.name as string) : request.method,
      args: toolCall ? (params.arguments ?? {}) : params,
      bytesIn: jsonBytes(params),
    };
    const done = { outcome: AuditOutcome.Denied, bytesOut: 0, latencyMs: 0 };
    return this.record(call, { ...why, decision: Verdict.Deny }, done);
  }
}
