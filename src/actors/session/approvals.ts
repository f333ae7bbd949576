import type { KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import type { SessionEmitted } from '../../../statecharts/index.js';
import type { Clock } from '../../clock.js';
import {
  type ApprovalRecord,
  ApprovalStatus,
  type ControlSubjects,
  type SessionDescriptor,
} from '../control/index.js';
import { argumentPreview } from './preview.js';

type ApprovalRequested = Extract<SessionEmitted, { type: 'approval_requested' }>;

export interface ApprovalDeskOptions {
  readonly nc: NatsConnection;
  readonly kv: KV;
  readonly subjects: ControlSubjects;
  readonly descriptor: SessionDescriptor;
  readonly clock: Clock;
  /** Where KV and publish failures go; approvals still time out (and deny) without the record. */
  readonly report: (err: unknown) => void;
}

/**
 * The session's side of approvals: the held call is recorded in the approvals bucket and announced
 * on a subject sessions cannot reach; every outcome updates the record, then removes it.
 */
export class ApprovalDesk {
  readonly #options: ApprovalDeskOptions;
  #pending: ApprovalRecord | null = null;
  /** KV writes in order, so a quick outcome never lands before its request. */
  #writes: Promise<void> = Promise.resolve();

  constructor(options: ApprovalDeskOptions) {
    this.#options = options;
  }

  get pending(): ApprovalRecord | null {
    return this.#pending;
  }

  /** Records and announces a held call. */
  requested(event: ApprovalRequested, args: unknown): void {
    const { sid, principal, purpose } = this.#options.descriptor;
    const record: ApprovalRecord = {
      sid,
      callId: event.callId,
      tool: event.tool,
      argsDigest: event.argsDigest,
      preview: argumentPreview(args),
      principal,
      purpose,
      reason: event.reason,
      requestedAt: event.at,
      deadline: event.deadline,
      status: ApprovalStatus.Pending,
    };
    this.#pending = record;
    this.#write(async (kv) => {
      await kv.put(keyOf(record), JSON.stringify(record));
      this.#options.nc.publish(this.#options.subjects.approvalsRequested, JSON.stringify(record));
    });
  }

  /** Closes the pending approval with its outcome; returns the final record. */
  settled(
    callId: string,
    status: ApprovalStatus,
    answer?: { approver: string; reason?: string | undefined },
  ): ApprovalRecord | undefined {
    const pending = this.#pending;
    if (pending?.callId !== callId) return undefined;
    this.#pending = null;
    const record: ApprovalRecord = {
      ...pending,
      status,
      settledAt: this.#options.clock(),
      ...(answer?.approver ? { approver: answer.approver } : {}),
      ...(answer?.reason ? { answer: answer.reason } : {}),
    };
    this.#write(async (kv) => {
      // The final status first, so watchers see how it ended; then the entry goes.
      await kv.put(keyOf(record), JSON.stringify(record));
      await kv.delete(keyOf(record));
    });
    return record;
  }

  /** Resolves once every record write so far has finished. */
  flushed(): Promise<void> {
    return this.#writes;
  }

  #write(operation: (kv: KV) => Promise<void>): void {
    this.#writes = this.#writes.then(() => operation(this.#options.kv)).catch(this.#options.report);
  }
}

export function approvalKey(sid: string, callId: string): string {
  return `${sid}.${callId}`;
}

function keyOf(record: ApprovalRecord): string {
  return approvalKey(record.sid, record.callId);
}
