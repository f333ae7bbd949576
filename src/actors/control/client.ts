import type { NatsConnection } from '@nats-io/transport-node';
import { z } from 'zod';
import { ApproverError, ApproverErrorCode } from '../../pki/approvers/index.js';
import { DEFAULT_PREFIX } from '../../transport/index.js';
import { type BrokerCatalogue, brokerSubjects, decodeCatalogue } from '../broker/index.js';
import type { BrokerApproveRequest } from './broker-responder.js';
import { type ControlBuckets, openControlBuckets, readAll } from './buckets.js';
import { decodeBody, encodeJson } from './codec.js';
import { ControlError, ControlErrorCode } from './errors.js';
import {
  type ApprovalRecord,
  ApprovalRecordSchema,
  ApprovalStatus,
  type ApproveRequest,
  type DenyRequest,
  type OperatorRequest,
  type SessionDescriptor,
  SessionDescriptorSchema,
  type SessionInspection,
  type SessionSummary,
} from './messages.js';
import { BrokerVerb, type ControlSubjects, controlSubjects, SessionVerb } from './subjects.js';

export interface MeshControlOptions {
  nc: NatsConnection;
  /** Subject prefix of the mesh. @default 'tm' */
  prefix?: string;
  /** How long a request waits for a node, in ms. @default 5_000 */
  timeoutMs?: number;
}

export const DEFAULT_CONTROL_TIMEOUT_MS = 5_000;
/** How long a listing waits for one more node after the last answer, in ms. */
const NODE_ANSWER_STALL_MS = 250;

const ReplySchema = z.union([
  z.object({ ok: z.literal(true), result: z.unknown() }),
  z.object({ ok: z.literal(false), error: z.object({ code: z.string(), message: z.string() }) }),
]);

type ContainmentVerb =
  | typeof SessionVerb.Suspend
  | typeof SessionVerb.Resume
  | typeof SessionVerb.ReadOnly
  | typeof SessionVerb.Scrutinise
  | typeof SessionVerb.Kill;

/**
 * The operator's handle on the mesh (what `trustmesh sessions|approvals` use): every command is a
 * request on a control subject that sessions cannot reach, answered by the node hosting the session.
 * Errors are `ControlError`s carrying the node's code, or `ApproverError`s when the node refused an
 * approver's ID token.
 */
export class MeshControl {
  readonly #nc: NatsConnection;
  readonly #prefix: string;
  readonly #subjects: ControlSubjects;
  readonly #timeoutMs: number;
  #buckets: Promise<ControlBuckets> | undefined;

  constructor(options: MeshControlOptions) {
    this.#nc = options.nc;
    this.#prefix = options.prefix ?? DEFAULT_PREFIX;
    this.#subjects = controlSubjects(this.#prefix);
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_CONTROL_TIMEOUT_MS;
  }

  /** The sessions every running node hosts (each session has one host; passivated ones are not listed). */
  async listSessions(): Promise<SessionSummary[]> {
    return (await this.#requestAll<SessionSummary[]>(this.#subjects.nodeSessions, {})).flat();
  }

  inspect(sid: string): Promise<SessionInspection> {
    return this.#request(this.#subjects.session(sid, SessionVerb.Inspect), {});
  }

  suspend(sid: string, request: OperatorRequest): Promise<SessionSummary> {
    return this.#contain(sid, SessionVerb.Suspend, request);
  }

  resume(sid: string, request: OperatorRequest): Promise<SessionSummary> {
    return this.#contain(sid, SessionVerb.Resume, request);
  }

  readonly(sid: string, request: OperatorRequest): Promise<SessionSummary> {
    return this.#contain(sid, SessionVerb.ReadOnly, request);
  }

  scrutinise(sid: string, request: OperatorRequest): Promise<SessionSummary> {
    return this.#contain(sid, SessionVerb.Scrutinise, request);
  }

  kill(sid: string, request: OperatorRequest): Promise<SessionSummary> {
    return this.#contain(sid, SessionVerb.Kill, request);
  }

  approve(sid: string, request: ApproveRequest): Promise<ApprovalRecord> {
    return this.#request(this.#subjects.session(sid, SessionVerb.Approve), request);
  }

  deny(sid: string, request: DenyRequest): Promise<ApprovalRecord> {
    return this.#request(this.#subjects.session(sid, SessionVerb.Deny), request);
  }

  /** The catalogue, pin status and any quarantine report of `server`'s broker. */
  async brokerStatus(server: string): Promise<BrokerCatalogue> {
    try {
      const msg = await this.#nc.request(brokerSubjects(this.#prefix, server).list, new Uint8Array(), {
        timeout: this.#timeoutMs,
      });
      return decodeCatalogue(msg.data);
    } catch (cause) {
      throw new ControlError(
        ControlErrorCode.Unavailable,
        `No broker for server ${server} answered within ${this.#timeoutMs} ms; check that it runs (trustmesh broker run).`,
        { cause },
      );
    }
  }

  /** Re-pins what `server` lists now (after review), lifting its quarantine. */
  approveBroker(server: string, request: BrokerApproveRequest): Promise<BrokerCatalogue> {
    return this.#request(this.#subjects.broker(server, BrokerVerb.Approve), request);
  }

  /** Approvals still waiting for an answer, oldest first. */
  async listApprovals(): Promise<ApprovalRecord[]> {
    const { approvals } = await this.#openBuckets();
    const all = await readAll(approvals, (v) => ApprovalRecordSchema.safeParse(v).data);
    return all
      .filter((record) => record.status === ApprovalStatus.Pending)
      .sort((a, b) => a.requestedAt - b.requestedAt);
  }

  /** Registers a session; the node watching the registry activates it. */
  async createSession(descriptor: SessionDescriptor): Promise<void> {
    const valid = decodeBody(SessionDescriptorSchema, encodeJson(descriptor), 'the session descriptor');
    const { sessions } = await this.#openBuckets();
    try {
      await sessions.create(valid.sid, encodeJson(valid));
    } catch (cause) {
      throw new ControlError(
        ControlErrorCode.SessionExists,
        `Session ${valid.sid} is already registered; create the session with a new id.`,
        { cause },
      );
    }
  }

  #contain(sid: string, verb: ContainmentVerb, request: OperatorRequest): Promise<SessionSummary> {
    return this.#request(this.#subjects.session(sid, verb), request);
  }

  #openBuckets(): Promise<ControlBuckets> {
    this.#buckets ??= openControlBuckets(this.#nc);
    return this.#buckets;
  }

  /** Asks every node: answers are gathered until none came for `NODE_ANSWER_STALL_MS`. */
  async #requestAll<T>(subject: string, body: unknown): Promise<T[]> {
    const results: T[] = [];
    try {
      const answers = await this.#nc.requestMany(subject, encodeJson(body), {
        strategy: 'stall',
        stall: NODE_ANSWER_STALL_MS,
        maxWait: this.#timeoutMs,
      });
      for await (const msg of answers) {
        if (msg.data.length > 0) results.push(this.#result<T>(msg.data));
      }
    } catch (cause) {
      if (cause instanceof ControlError) throw cause;
      if (results.length === 0) throw this.#unavailable(subject, cause);
    }
    if (results.length === 0) throw this.#unavailable(subject);
    return results;
  }

  async #request<T>(subject: string, body: unknown): Promise<T> {
    let data: Uint8Array;
    try {
      const msg = await this.#nc.request(subject, encodeJson(body), { timeout: this.#timeoutMs });
      data = msg.data;
    } catch (cause) {
      throw this.#unavailable(subject, cause);
    }
    return this.#result<T>(data);
  }

  #result<T>(data: Uint8Array): T {
    const reply = decodeBody(ReplySchema, data, 'the node’s reply');
    if (!reply.ok) throw remoteError(reply.error.code, reply.error.message);
    return reply.result as T;
  }

  #unavailable(subject: string, cause?: unknown): ControlError {
    return new ControlError(
      ControlErrorCode.Unavailable,
      `No mesh node answered ${subject} within ${this.#timeoutMs} ms; check that a node is running and connected to this NATS server.`,
      cause === undefined ? undefined : { cause },
    );
  }
}

const CONTROL_CODES: ReadonlySet<string> = new Set(Object.values(ControlErrorCode));
const APPROVER_CODES: ReadonlySet<string> = new Set(Object.values(ApproverErrorCode));

/** The node's error with its own code when it is one callers switch on; anything else is internal. */
function remoteError(code: string, message: string): ControlError | ApproverError {
  if (APPROVER_CODES.has(code)) return new ApproverError(code as ApproverErrorCode, message);
  return new ControlError(
    CONTROL_CODES.has(code) ? (code as ControlErrorCode) : ControlErrorCode.Internal,
    message,
  );
}
