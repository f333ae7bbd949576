import type { KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import type { RiskThresholds, SessionTimeouts } from '../../../statecharts/index.js';
import { type Clock, systemClock } from '../../clock.js';
import type { MeshIdentity, MeshTrust } from '../../pki/signer/index.js';
import type { SessionTokenVerifier } from '../../pki/tokens/index.js';
import { createFsResolver, type PolicyBundle, type ResourceResolver } from '../../policy/index.js';
import { DEFAULT_PREFIX, type SigningKey } from '../../transport/index.js';
import { DEFAULT_CAPABILITY_TTL_MS } from '../capability/index.js';
import type { SessionDescriptor, SessionSummary } from '../control/index.js';
import { BehaviourModel } from '../monitor/index.js';
import type { SessionAuditor } from './call-audit.js';
import { SessionActorError, SessionErrorCode } from './errors.js';
import type { SessionSnapshot } from './snapshot.js';

/** How long an allowed call waits for its broker, in ms. */
export const DEFAULT_BROKER_TIMEOUT_MS = 30_000;

export interface SessionActorOptions {
  /** The node's connection; the caller owns it. */
  nc: NatsConnection;
  descriptor: SessionDescriptor;
  /** The node's identity key: it signs the channel handshake the agent checks. */
  identity: SigningKey;
  /** The current policy; replace it with `setPolicy`. */
  policy: PolicyBundle;
  /** The node's certificate (kind node) and key: it signs every capability. */
  signer: MeshIdentity;
  /** Checks the broker certificates that sign answers; share one per node (its cache is per certificate). */
  trust: MeshTrust;
  /** Checks the session token every request carries; share one per node (its cache is per token). */
  tokens: SessionTokenVerifier;
  /** The approvals bucket (`trustmesh_approvals`). */
  approvals: KV;
  /**
   * Records every call; an allowed call runs only once its record is durable. `null` runs calls
   * unaudited, for benchmarks that measure what audit costs: never in a mesh.
   */
  audit: SessionAuditor | null;
  /** @default 'tm' */
  prefix?: string;
  /** @default systemClock */
  clock?: Clock;
  /** How the policy follows links on path resources. @default createFsResolver() */
  resolver?: ResourceResolver;
  /** @default 30_000 */
  brokerTimeoutMs?: number;
  /** Lifetime of each capability, in ms. @default 10_000 */
  capabilityTtlMs?: number;
  /** Statechart timeouts (approval, reauth, quiet). @default the statechart's */
  timeouts?: Partial<SessionTimeouts>;
  thresholds?: Partial<RiskThresholds>;
  /**
   * The node's behaviour model (detection rules, per-purpose baselines); the session keeps the one it
   * started with. @default cold-start baselines and the default rules
   */
  behaviour?: BehaviourModel;
  /** Rehydrate from this snapshot instead of starting fresh. */
  snapshot?: SessionSnapshot;
  /**
   * Makes the session's snapshot durable (the node's placement). Awaited before a brokered call runs, so
   * a node that lost the session fails the call closed with nothing run, and after its usage is recorded.
   * @default nothing is persisted
   */
  persist?: (take: () => SessionSnapshot) => Promise<void>;
  /** Called after every transition with the new summary (persist `snapshot()` here). */
  onTransition?: (summary: SessionSummary) => void;
  /** Called once the session is terminated and closed. */
  onTerminated?: (sid: string) => void;
  /** Failures that reach no caller (KV writes, notifications). @default ignore */
  report?: (err: unknown) => void;
}

export interface ParsedSessionOptions
  extends Required<
    Omit<SessionActorOptions, 'snapshot' | 'timeouts' | 'thresholds' | 'onTransition' | 'onTerminated'>
  > {
  snapshot: SessionSnapshot | undefined;
  timeouts: Partial<SessionTimeouts>;
  thresholds: Partial<RiskThresholds>;
  onTransition: (summary: SessionSummary) => void;
  onTerminated: (sid: string) => void;
}

export function parseSessionOptions(options: SessionActorOptions): ParsedSessionOptions {
  if (options.signer?.kind !== 'node') {
    invalid(
      `signer must be a node certificate, not ${options.signer?.kind ?? 'missing'}; issue one with trustmesh pki issue --kind node`,
    );
  }
  if (!options.trust) invalid('trust is missing; pass the MeshTrust of the node');
  if (!options.policy?.purposes) invalid('policy is missing; load one with loadPolicy()');
  if (!options.tokens) invalid('tokens is missing; pass the SessionTokenVerifier of the node');
  if (options.audit === undefined) invalid("audit is missing; pass the node's Auditor");
  const brokerTimeoutMs = options.brokerTimeoutMs ?? DEFAULT_BROKER_TIMEOUT_MS;
  if (!(Number.isSafeInteger(brokerTimeoutMs) && brokerTimeoutMs > 0)) {
    invalid(`brokerTimeoutMs is ${brokerTimeoutMs}; use a positive whole number of ms`);
  }
  return {
    ...options,
    prefix: options.prefix ?? DEFAULT_PREFIX,
    clock: options.clock ?? systemClock,
    resolver: options.resolver ?? createFsResolver(),
    brokerTimeoutMs,
    capabilityTtlMs: options.capabilityTtlMs ?? DEFAULT_CAPABILITY_TTL_MS,
    snapshot: options.snapshot,
    timeouts: options.timeouts ?? {},
    thresholds: options.thresholds ?? {},
    behaviour: options.behaviour ?? new BehaviourModel(),
    onTransition: options.onTransition ?? (() => {}),
    onTerminated: options.onTerminated ?? (() => {}),
    persist: options.persist ?? (async () => {}),
    report: options.report ?? (() => {}),
  };
}

function invalid(problem: string): never {
  throw new SessionActorError(SessionErrorCode.InvalidOptions, `Cannot start the session actor: ${problem}.`);
}
