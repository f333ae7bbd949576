import type { KV, KvEntry, KvWatchEntry } from '@nats-io/kv';
import type { NatsConnection, QueuedIterator } from '@nats-io/transport-node';
import type { PolicyBundle } from '../compile/bundle.js';
import { type ParsePolicyOptions, parsePolicy } from '../compile/parse.js';
import type { PolicyFile } from '../format/read-file.js';
import { type BundleRevision, decodeBundle, encodeBundle, openPolicyBucket, POLICY_KEY } from './bucket.js';
import { compileStored } from './compile.js';
import { PolicyDistributionError, PolicyDistributionErrorCode } from './errors.js';

export interface PolicyFeedOptions extends ParsePolicyOptions {
  nc: NatsConnection;
  /** Policy files written to the bucket when it holds no bundle yet; ignored once one exists. */
  seed?: readonly PolicyFile[];
  /** Who seeds, recorded beside the bundle (e.g. `node <kid>`). */
  seededBy: string;
  /** Called with each newly applied bundle, in revision order. */
  onChange: (bundle: PolicyBundle, revision: number) => void;
  /** Receives bundles that were rejected (typed, code ERR_POLICY_BUNDLE_REJECTED) and watch failures. */
  report: (err: unknown) => void;
  /** Progress lines for the node's log. @default ignore */
  log?: (line: string) => void;
  /** @default Date.now */
  now?: () => number;
}

/**
 * A node's view of the mesh policy: the newest bundle in `trustmesh_policy` that compiles, kept
 * current by a KV watch. Every node applies the same rule to the same ordered revisions, so all of
 * them converge on the same version; a bundle that does not compile is reported and skipped, never
 * half-applied. The bucket always wins over local files, which only seed an empty bucket.
 */
export class PolicyFeed {
  readonly #options: PolicyFeedOptions;
  #bundle: PolicyBundle;
  #revision: number;
  #watch: QueuedIterator<KvWatchEntry> | undefined;
  #closed = false;

  private constructor(options: PolicyFeedOptions, bundle: PolicyBundle, revision: number) {
    this.#options = options;
    this.#bundle = bundle;
    this.#revision = revision;
  }

  /** Resolves with the current policy loaded (seeding the bucket if empty) and the watch running. */
  static async open(options: PolicyFeedOptions): Promise<PolicyFeed> {
    const seed = options.seed && options.seed.length > 0 ? options.seed : undefined;
    // A broken local file is the operator's mistake to see at once, whatever the bucket holds.
    const seedBundle = seed ? parsePolicy(seed, options) : undefined;
    const kv = await openPolicyBucket(options.nc);
    let loaded = await newestValid(kv, options);
    if (!loaded && seed && seedBundle) loaded = await seedBucket(kv, seed, seedBundle, options);
    if (!loaded) {
      throw new PolicyDistributionError(
        PolicyDistributionErrorCode.Missing,
        "the policy bucket holds no valid bundle and no --policy was given; push one with 'trustmesh policy push <file|dir>' " +
          'or start the node with --policy to seed it.',
      );
    }
    if (seedBundle && seedBundle.version !== loaded.bundle.version) {
      options.log?.(
        `policy: the mesh runs ${loaded.bundle.version} (revision ${loaded.revision}); --policy (${seedBundle.version}) ` +
          "differs and is not used. Push it with 'trustmesh policy push' to apply it everywhere.",
      );
    }
    const feed = new PolicyFeed(options, loaded.bundle, loaded.revision);
    await feed.#follow(kv);
    return feed;
  }

  get bundle(): PolicyBundle {
    return this.#bundle;
  }

  /** The KV revision of the bundle in use. */
  get revision(): number {
    return this.#revision;
  }

  close(): void {
    this.#closed = true;
    this.#watch?.stop();
  }

  async #follow(kv: KV): Promise<void> {
    const watch = await kv.watch({ key: POLICY_KEY, resumeFromRevision: this.#revision + 1 });
    this.#watch = watch;
    void (async () => {
      for await (const entry of watch) this.#apply(entry);
      if (!this.#closed) {
        this.#options.report(
          new PolicyDistributionError(
            PolicyDistributionErrorCode.Bucket,
            `the policy watch ended; this node keeps ${this.#bundle.version} and sees no new push until it is restarted.`,
          ),
        );
      }
    })();
  }

  #apply(entry: KvWatchEntry): void {
    if (entry.operation !== 'PUT') {
      this.#options.report(
        new PolicyDistributionError(
          PolicyDistributionErrorCode.Rejected,
          `the policy bundle was deleted (revision ${entry.revision}); this node keeps ${this.#bundle.version}. ` +
            "Push a policy with 'trustmesh policy push' rather than deleting it.",
        ),
      );
      return;
    }
    let bundle: PolicyBundle;
    try {
      bundle = compileStored(decodeBundle(entry), this.#options);
    } catch (err) {
      this.#options.report(err);
      return;
    }
    this.#revision = entry.revision;
    if (bundle.version === this.#bundle.version) return;
    this.#bundle = bundle;
    this.#options.onChange(bundle, entry.revision);
  }
}

interface Loaded {
  bundle: PolicyBundle;
  revision: number;
}

/** The newest revision that compiles; newer ones that do not are reported (the rule every node applies). */
async function newestValid(kv: KV, options: PolicyFeedOptions): Promise<Loaded | undefined> {
  const latest = await kv.get(POLICY_KEY);
  if (latest?.operation !== 'PUT') return undefined;
  const first = tryCompile(latest, options);
  if (first) return first;
  const older: KvEntry[] = [];
  for await (const entry of await kv.history({ key: POLICY_KEY })) {
    if (entry.operation === 'PUT' && entry.revision < latest.revision) older.push(entry);
  }
  for (const entry of older.sort((a, b) => b.revision - a.revision)) {
    const loaded = tryCompile(entry, options);
    if (loaded) return loaded;
  }
  return undefined;
}

function tryCompile(entry: KvEntry, options: PolicyFeedOptions): Loaded | undefined {
  try {
    const stored: BundleRevision = decodeBundle(entry);
    return { bundle: compileStored(stored, options), revision: entry.revision };
  } catch (err) {
    options.report(err);
    return undefined;
  }
}

/** Writes the seed only if the key is still empty; a node that loses that race reads the winner's. */
async function seedBucket(
  kv: KV,
  seed: readonly PolicyFile[],
  bundle: PolicyBundle,
  options: PolicyFeedOptions,
): Promise<Loaded | undefined> {
  const value = encodeBundle({
    format: 1,
    version: bundle.version,
    files: seed.map(({ name, text }) => ({ name, text })),
    pushedAt: (options.now ?? Date.now)(),
    pushedBy: options.seededBy,
  });
  try {
    const revision = await kv.create(POLICY_KEY, value);
    options.log?.(`policy: seeded the empty policy bucket with ${bundle.version} (revision ${revision})`);
    return { bundle, revision };
  } catch {
    return newestValid(kv, options);
  }
}
