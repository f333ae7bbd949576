export { NODES_BUCKET, openPlacementBuckets, PLACEMENT_BUCKET, type PlacementBuckets } from './buckets.js';
export { PlacementError, PlacementErrorCode } from './errors.js';
export { NodeLease, type NodeLeaseOptions } from './node-lease.js';
export {
  DEFAULT_LEASE_MS,
  DEFAULT_PASSIVATE_AFTER_MS,
  type ParsedPlacementOptions,
  type PlacementOptions,
  parsePlacementOptions,
} from './options.js';
export { type Placed, Placement, type PlacementRecord, Tenancy } from './placement.js';
export { Activation, type HostSession, SessionRegion, type SessionRegionOptions } from './region.js';
