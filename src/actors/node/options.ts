import type { NatsConnection } from '@nats-io/transport-node';
import { type Clock, systemClock } from '../../clock.js';
import { TrustmeshError } from '../../errors.js';
import type { ApproverVerifierOptions } from '../../pki/approvers/index.js';
import type { TrustAnchors } from '../../pki/certs/index.js';
import type { MeshIdentity } from '../../pki/signer/index.js';
import type { ResourceResolver } from '../../policy/index.js';
import { assertPrefix, DEFAULT_PREFIX } from '../../transport/index.js';
import type { BehaviourModelInput } from '../monitor/index.js';
import type { SessionActorOptions } from '../session/index.js';
import type { NodeAuditOptions } from './audit.js';
import {
  type ParsedPlacementOptions,
  type PlacementOptions,
  parsePlacementOptions,
} from './placement/options.js';

export class NodeOptionsError extends TrustmeshError {
  constructor(message: string) {
    super('ERR_NODE_OPTIONS', message);
  }
}

/** What each session actor the node hosts is started with. */
export type SessionDefaults = Pick<
  SessionActorOptions,
  'brokerTimeoutMs' | 'capabilityTtlMs' | 'timeouts' | 'thresholds'
>;

export interface MeshNodeOptions {
  /** The node's NATS connection (JetStream enabled on the server); the caller owns it. */
  nc: NatsConnection;
  /** Holds `keys/mesh-node.jwk` and `keys/session-token.jwk` (both created, 0600, when missing). */
  stateDir: string;
  /** The node's certificate (kind node) and key from the mesh PKI: it signs every capability. */
  signer: MeshIdentity;
  /** The mesh root and intermediates that broker certificates must chain to. */
  anchors: TrustAnchors;
  /**
   * Policy files or directories that seed the mesh policy bucket (`trustmesh_policy`) when it holds
   * no bundle yet; once it does, the bucket wins (see docs/decisions/0016-policy-distribution.md).
   * @default [] (the bucket must already hold a bundle)
   */
  policyPaths?: readonly string[];
  /** @default 'tm' */
  prefix?: string;
  /** @default systemClock */
  clock?: Clock;
  /** @default createFsResolver() */
  resolver?: ResourceResolver;
  /** @default the session actor's defaults */
  session?: SessionDefaults;
  /**
   * The audit log every call is recorded in before it runs. `false` runs calls unaudited, only to
   * measure what audit costs: never in a mesh.
   * @default { dir: `<stateDir>/audit` }
   */
  audit?: NodeAuditOptions | false;
  /**
   * Detection rules and monitor options; baselines come from the KV bucket `trustmesh_baselines`.
   * @default the default rules, cold-start baselines until a version is stored
   */
  monitor?: Omit<BehaviourModelInput, 'baselines'>;
  /** Lease, replicas and passivation of the sessions this node hosts. @default see `PlacementOptions` */
  placement?: PlacementOptions;
  /** Where the node's log lines go. @default ignore */
  log?: (line: string) => void;
  /**
   * Revokes a session's NATS user (public nkey) on suspend and kill, e.g. `NatsAuthority.revokeUser`
   * over a claims-pusher connection: the server then closes the agent's connection and refuses it.
   * @default undefined (the mesh runs without per-session NATS users)
   */
  revokeNatsUser?: (publicKey: string) => Promise<void>;
  /**
   * The OIDC identity provider that vouches for human approvers (issuer, audience, JWKS). Approvals and
   * denials are verified against it; without it the node refuses every one (fail closed).
   * @default undefined (no approvals accepted)
   */
  approvers?: ApproverVerifierOptions;
}

export type ParsedNodeOptions = Required<
  Omit<MeshNodeOptions, 'resolver' | 'revokeNatsUser' | 'placement' | 'approvers'>
> & {
  placement: ParsedPlacementOptions;
  resolver: ResourceResolver | undefined;
  revokeNatsUser: ((publicKey: string) => Promise<void>) | undefined;
  approvers: ApproverVerifierOptions | undefined;
};

export function parseNodeOptions(options: MeshNodeOptions): ParsedNodeOptions {
  if (!options?.nc) throw new NodeOptionsError('nc is missing; pass a connected NatsConnection.');
  if (typeof options.stateDir !== 'string' || options.stateDir === '') {
    throw new NodeOptionsError('stateDir is missing; pass the directory that holds the node keys.');
  }
  if (options.signer?.kind !== 'node') {
    throw new NodeOptionsError(
      'signer is not a node certificate; issue one with trustmesh pki issue --kind node and load it with loadMeshIdentity.',
    );
  }
  if (!options.anchors?.root)
    throw new NodeOptionsError('anchors is missing; pass the mesh CA certificates.');
  if (options.policyPaths !== undefined && !Array.isArray(options.policyPaths)) {
    throw new NodeOptionsError('policyPaths must be an array of policy files or directories.');
  }
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  assertPrefix(prefix);
  return {
    nc: options.nc,
    stateDir: options.stateDir,
    signer: options.signer,
    anchors: options.anchors,
    policyPaths: options.policyPaths ?? [],
    prefix,
    clock: options.clock ?? systemClock,
    resolver: options.resolver,
    session: options.session ?? {},
    audit: options.audit ?? {},
    monitor: options.monitor ?? {},
    placement: parsePlacementOptions(options.placement),
    log: options.log ?? (() => {}),
    revokeNatsUser: options.revokeNatsUser,
    approvers: options.approvers,
  };
}
