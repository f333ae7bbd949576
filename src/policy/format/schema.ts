import type { Effect, Tier } from '../vocabulary.js';
import type { Loc, Located } from './located.js';

/** Policy documents as written, before compilation: every value keeps its file:line. */

export const Approval = { Required: 'required', None: 'none' } as const;
export type Approval = (typeof Approval)[keyof typeof Approval];

/** How a catalogue entry's resource is canonicalised before globs match it. */
export const ResourceKind = { Path: 'path', Identifier: 'identifier' } as const;
export type ResourceKind = (typeof ResourceKind)[keyof typeof ResourceKind];

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface RawWindow {
  readonly loc: Loc;
  readonly days?: Located<Weekday>[];
  readonly from?: Located<string>;
  readonly to?: Located<string>;
}

export interface RawSchedule {
  readonly loc: Loc;
  readonly timeZone?: Located<string>;
  readonly windows: RawWindow[];
}

export interface RawLimits {
  readonly loc: Loc;
  readonly callsPerMinute?: Located<number>;
  readonly bytesIn?: Located<number>;
  readonly bytesOut?: Located<number>;
  readonly schedule?: RawSchedule;
}

/** One `server.tool` (or `server.method`) entry of a purpose. */
export interface RawGrant {
  readonly key: string;
  readonly loc: Loc;
  readonly allowed?: Located<boolean>;
  readonly scope?: Located<string>[];
  readonly exclude?: Located<string>[];
  readonly requires?: Located<string>[];
  readonly approval?: Located<Approval>;
  readonly limits?: RawLimits;
  readonly conditions?: Located<string>;
}

export interface RawPurpose {
  readonly name: string;
  readonly loc: Loc;
  readonly tier?: Located<Tier>;
  /** Seconds. */
  readonly ttl?: Located<number>;
  readonly limits?: RawLimits;
  readonly conditions?: Located<string>;
  readonly tools: RawGrant[];
  readonly methods: RawGrant[];
  /** Set when the purpose came from a seed-style `session:` grant. */
  readonly session?: { readonly id?: Located<string>; readonly user?: Located<string> };
}

export interface RawCatalogueTool {
  readonly name: string;
  readonly loc: Loc;
  readonly effect?: Located<Effect>;
  readonly resource?: Located<string>;
  readonly kind?: Located<ResourceKind>;
  readonly caseInsensitive?: Located<boolean>;
  /** Argument keys (or dotted paths) the audit keeps as they are, or drops. */
  readonly audit?: { readonly keep?: Located<string>[]; readonly drop?: Located<string>[] };
}

export interface RawCatalogueServer {
  readonly name: string;
  readonly loc: Loc;
  readonly root?: Located<string>;
  readonly tools: RawCatalogueTool[];
}

export interface RawPolicyFile {
  readonly file: string;
  readonly purposes: RawPurpose[];
  readonly catalogue: RawCatalogueServer[];
}
