import type { Effect, SessionState, Tier } from '../vocabulary.js';

/** A YAML scalar holding Cedar policy statements (`permit`/`forbid`). */
export interface CedarSource {
  text: string;
  file: string;
  /** 1-based file line of the first line of `text` (for a `|` block scalar, the line after the key). */
  line: number;
  /** Dotted path of the YAML field holding `text`. */
  field: string;
}

/** Everything a Cedar condition may read about one call. */
export interface CedarCallContext {
  principal: string;
  purpose: string;
  tier: Tier;
  state: SessionState;
  server: string;
  tool: string;
  effect: Effect;
  /** The canonical resource the tool's scope applies to, or null when the tool has none. */
  resource: string | null;
  args: Readonly<Record<string, unknown>>;
  /** Successful calls so far per `server.tool`. */
  history: Readonly<Record<string, number>>;
  callsTotal: number;
  /** Epoch milliseconds. */
  now: number;
  /** IANA time zone the time-of-day attributes are computed in. */
  timeZone: string;
}

export const CedarDenial = {
  Forbid: 'CEDAR_FORBID',
  NoPermit: 'CEDAR_NO_PERMIT',
  Error: 'CEDAR_ERROR',
} as const;
export type CedarDenial = (typeof CedarDenial)[keyof typeof CedarDenial];

export type CedarDecision =
  | { allowed: true }
  | {
      allowed: false;
      reason: CedarDenial;
      /** `file:line` of the deciding statement. */
      rule: string;
    };

export interface CedarConditions {
  /** Never throws: anything Cedar cannot evaluate denies with `CEDAR_ERROR`. */
  evaluate(ctx: CedarCallContext): CedarDecision;
}
