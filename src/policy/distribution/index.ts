export {
  type BundleRevision,
  openPolicyBucket,
  POLICY_BUCKET,
  POLICY_HISTORY,
  POLICY_KEY,
  type PolicyBucketOptions,
  type StoredBundle,
} from './bucket.js';
export { PolicyDistributionError, PolicyDistributionErrorCode } from './errors.js';
export { PolicyFeed, type PolicyFeedOptions } from './feed.js';
export {
  type HistoryEntry,
  type PushOptions,
  type PushResult,
  policyHistory,
  pushPolicy,
  rollbackPolicy,
} from './push.js';
