import { TrustmeshError } from '../../../errors.js';

/** Stable codes of placement failures. */
export const PlacementErrorCode = {
  /** This node no longer holds the session (its lease lapsed or another node took it over). */
  Lost: 'ERR_PLACEMENT_LOST',
  /** The session has no placement and no registry entry: it was never created, or it ended. */
  UnknownSession: 'ERR_PLACEMENT_UNKNOWN_SESSION',
  /** A placement entry that is not one this mesh writes. */
  Corrupt: 'ERR_PLACEMENT_CORRUPT',
} as const;
export type PlacementErrorCode = (typeof PlacementErrorCode)[keyof typeof PlacementErrorCode];

export class PlacementError extends TrustmeshError {
  declare readonly code: PlacementErrorCode;

  constructor(code: PlacementErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
