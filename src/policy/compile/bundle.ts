import type { CedarConditions } from '../cedar/types.js';
import type { ResourceKind } from '../format/schema.js';
import type { ResourceTemplate } from '../resource/template.js';
import type { Effect, Tier } from '../vocabulary.js';

/** A compiled policy: immutable, every rule carrying the `file:line` a Decision reports. */

/** One tool the catalogue knows, keyed `server.tool`. */
export interface CatalogueEntry {
  readonly key: string;
  readonly effect: Effect;
  /** What `scope`/`exclude` match; absent when the tool acts on no particular resource. */
  readonly template?: ResourceTemplate;
  readonly kind: ResourceKind;
  readonly caseInsensitive: boolean;
  /** Absolute server root, for path resources. */
  readonly root?: string;
  readonly at: string;
  /** Argument keys (or dotted paths) the audit keeps as they are or drops, on top of the node's rules. */
  readonly audit?: AuditRedaction;
}

export interface AuditRedaction {
  readonly keep: readonly string[];
  readonly drop: readonly string[];
}

export interface GlobRule {
  readonly glob: string;
  readonly at: string;
  readonly test: (value: string) => boolean;
}

/** A limit and the line that set it. */
export interface Bound {
  readonly max: number;
  readonly at: string;
}

export interface TimeWindow {
  /** Bit `d` set when weekday `d` (0 = Sunday) is included. */
  readonly days: number;
  /** Minutes after midnight, inclusive. */
  readonly from: number;
  /** Minutes after midnight, exclusive. */
  readonly to: number;
}

export interface Schedule {
  readonly timeZone: string;
  readonly windows: readonly TimeWindow[];
  readonly at: string;
}

export interface Limits {
  readonly callsPerMinute?: Bound;
  readonly bytesIn?: Bound;
  readonly bytesOut?: Bound;
  readonly schedule?: Schedule;
}

/** What a purpose grants for one `server.tool` or `server.method`. */
export interface Grant {
  readonly key: string;
  readonly at: string;
  readonly allowed: boolean;
  readonly allowedAt: string;
  readonly scope: readonly GlobRule[];
  readonly exclude: readonly GlobRule[];
  readonly requires: readonly { readonly key: string; readonly at: string }[];
  /** `file:line` of `approval: required`, when set. */
  readonly approvalAt?: string;
  readonly limits: Limits;
  /**
   * Cedar conditions: the purpose's, then this grant's. Each is its own policy set (it needs a permit,
   * any forbid denies) and every one must allow: a tool's conditions narrow the purpose's.
   */
  readonly conditions: readonly CedarConditions[];
}

export interface Purpose {
  readonly name: string;
  readonly at: string;
  readonly tier: Tier;
  readonly tierAt: string;
  /** Maximum session duration. */
  readonly ttl?: Bound;
  readonly limits: Limits;
  readonly tools: ReadonlyMap<string, Grant>;
  readonly methods: ReadonlyMap<string, Grant>;
  /** A seed-style session grant applies to this principal only. */
  readonly user?: { readonly value: string; readonly at: string };
  /** A seed-style session grant names the session it was issued for. */
  readonly sessionId?: string;
}

export interface PolicyBundle {
  /** `sha256:<hex>` over the sorted file names and bytes. */
  readonly version: string;
  readonly files: readonly string[];
  readonly purposes: ReadonlyMap<string, Purpose>;
  readonly catalogue: ReadonlyMap<string, CatalogueEntry>;
}
