import type { PolicyBundle } from '../compile/bundle.js';
import { type ParsePolicyOptions, parsePolicy } from '../compile/parse.js';
import { PolicyValidationError } from '../issues.js';
import { type BundleRevision, filesOf } from './bucket.js';
import { PolicyDistributionError, PolicyDistributionErrorCode } from './errors.js';

/**
 * Compiles a bundle from the bucket. Rejects (typed, with the validation issues as cause) one that
 * does not compile or whose declared version is not the hash of its files: a node never runs a
 * policy other than the one the version names.
 */
export function compileStored(bundle: BundleRevision, options?: ParsePolicyOptions): PolicyBundle {
  const { revision, stored } = bundle;
  let compiled: PolicyBundle;
  try {
    compiled = parsePolicy(filesOf(stored), options);
  } catch (cause) {
    if (!(cause instanceof PolicyValidationError)) throw cause;
    throw new PolicyDistributionError(
      PolicyDistributionErrorCode.Rejected,
      `policy bundle revision ${revision} (${stored.version}) is invalid and was not applied:\n${cause.message}`,
      { cause },
    );
  }
  if (compiled.version !== stored.version) {
    throw new PolicyDistributionError(
      PolicyDistributionErrorCode.Rejected,
      `policy bundle revision ${revision} claims version ${stored.version} but its files hash to ` +
        `${compiled.version}; it was not applied. Push the policy again with 'trustmesh policy push'.`,
    );
  }
  return compiled;
}
