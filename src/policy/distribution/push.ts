import type { KV, KvEntry } from '@nats-io/kv';
import { type Clock, systemClock } from '../../clock.js';
import { type ParsePolicyOptions, parsePolicy } from '../compile/parse.js';
import type { PolicyFile } from '../format/read-file.js';
import { type BundleRevision, decodeBundle, encodeBundle, POLICY_KEY } from './bucket.js';
import { compileStored } from './compile.js';
import { PolicyDistributionError, PolicyDistributionErrorCode } from './errors.js';

export interface PushOptions extends ParsePolicyOptions {
  /** Who pushes, recorded beside the bundle. */
  pushedBy: string;
  /** @default systemClock */
  clock?: Clock;
}

export interface PushResult {
  readonly version: string;
  readonly revision: number;
  /** The bucket already held this version: nothing was written. */
  readonly unchanged: boolean;
}

/**
 * Validates policy files and makes them the mesh's policy. Throws PolicyValidationError (nothing is
 * written) for an invalid policy. The write is a compare-and-set on the revision read, so two
 * operators pushing at once cannot silently overwrite each other: the loser gets a NATS error.
 */
export async function pushPolicy(
  kv: KV,
  files: readonly PolicyFile[],
  options: PushOptions,
): Promise<PushResult> {
  const bundle = parsePolicy(files, options);
  const latest = await kv.get(POLICY_KEY);
  if (latest?.operation === 'PUT' && storedVersion(latest) === bundle.version) {
    return { version: bundle.version, revision: latest.revision, unchanged: true };
  }
  const value = encodeBundle({
    format: 1,
    version: bundle.version,
    files: files.map(({ name, text }) => ({ name, text })),
    pushedAt: (options.clock ?? systemClock)(),
    pushedBy: options.pushedBy,
  });
  // Compare-and-set on the revision just read: of two concurrent pushes, one fails instead of vanishing.
  const revision = await (latest
    ? kv.update(POLICY_KEY, value, latest.revision)
    : kv.create(POLICY_KEY, value)
  ).catch((cause: unknown) => {
    throw new PolicyDistributionError(
      PolicyDistributionErrorCode.Conflict,
      `another policy push landed while this one was written (${(cause as Error).message}); ` +
        "run 'trustmesh policy history' to see it, then push again if yours should win.",
      { cause },
    );
  });
  return { version: bundle.version, revision, unchanged: false };
}

/** One pushed version, newest first in `policyHistory`. */
export interface HistoryEntry {
  readonly revision: number;
  readonly version: string;
  readonly files: readonly string[];
  readonly pushedAt: number;
  readonly pushedBy: string;
  /** It compiles and its version is the hash of its files: nodes accept it. */
  readonly valid: boolean;
  /** The newest valid revision: the policy every node runs. */
  readonly inForce: boolean;
}

/** Every revision the bucket still holds (at most POLICY_HISTORY), newest first. */
export async function policyHistory(kv: KV, options: ParsePolicyOptions = {}): Promise<HistoryEntry[]> {
  const entries: Omit<HistoryEntry, 'inForce'>[] = [];
  for await (const entry of await kv.history({ key: POLICY_KEY })) {
    if (entry.operation !== 'PUT') continue;
    let bundle: BundleRevision;
    try {
      bundle = decodeBundle(entry);
    } catch {
      continue; // not a bundle at all: nothing anyone could roll back to
    }
    const { stored } = bundle;
    entries.push({
      revision: entry.revision,
      version: stored.version,
      files: stored.files.map((f) => f.name),
      pushedAt: stored.pushedAt,
      pushedBy: stored.pushedBy,
      valid: compiles(bundle, options),
    });
  }
  entries.sort((a, b) => b.revision - a.revision);
  const inForce = entries.find((e) => e.valid)?.revision;
  return entries.map((e) => ({ ...e, inForce: e.revision === inForce }));
}

/** Pushes the bundle stored at `revision` again (a new revision with the old version). */
export async function rollbackPolicy(kv: KV, revision: number, options: PushOptions): Promise<PushResult> {
  const entry = await kv.get(POLICY_KEY, { revision }).catch(() => null);
  if (entry?.operation !== 'PUT' || entry.key !== POLICY_KEY) {
    throw new PolicyDistributionError(
      PolicyDistributionErrorCode.UnknownRevision,
      `the policy bucket holds no bundle at revision ${revision}; run 'trustmesh policy history' to list the revisions it keeps.`,
    );
  }
  const old: BundleRevision = decodeBundle(entry);
  return pushPolicy(kv, old.stored.files, options);
}

function compiles(bundle: BundleRevision, options: ParsePolicyOptions): boolean {
  try {
    compileStored(bundle, options);
    return true;
  } catch {
    return false;
  }
}

function storedVersion(entry: KvEntry): string | undefined {
  try {
    return decodeBundle(entry).stored.version;
  } catch {
    return undefined;
  }
}
