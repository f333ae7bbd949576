import { type KV, type KvEntry, Kvm, type KvWatchEntry } from '@nats-io/kv';
import type { NatsConnection, QueuedIterator } from '@nats-io/transport-node';
import { type BaselineSet, parseBaselineSet } from './baseline.js';

/** The KV bucket and key the mesh reads baselines from; each put is a new version (revision). */
export const BASELINE_BUCKET = 'trustmesh_baselines';
export const BASELINE_KEY = 'current';
/** Earlier versions kept, so an operator can see what changed and roll back. */
const BASELINE_HISTORY = 10;

export function openBaselineBucket(nc: NatsConnection): Promise<KV> {
  return new Kvm(nc).create(BASELINE_BUCKET, { history: BASELINE_HISTORY });
}

/** Stores `set` as the current baselines; returns the KV revision. */
export function storeBaselines(kv: KV, set: BaselineSet): Promise<number> {
  return kv.put(BASELINE_KEY, `${JSON.stringify(set, null, 2)}\n`);
}

export interface BaselineFollowerOptions {
  /** Each valid set, the stored one first (if any), then every new version. */
  readonly onChange: (set: BaselineSet, revision: number) => void;
  /** Versions that do not parse; the previous set stays in force. */
  readonly report: (err: unknown) => void;
}

/**
 * Follows the baselines bucket: reads the current version before `start` resolves (sessions activated
 * right after are judged by it), then hands over each new one. A deleted key changes nothing: the
 * last good baselines stay, never the cold-start defaults behind an operator's back.
 */
export class BaselineFollower {
  readonly #watch: QueuedIterator<KvWatchEntry>;

  private constructor(watch: QueuedIterator<KvWatchEntry>) {
    this.#watch = watch;
  }

  static async start(nc: NatsConnection, options: BaselineFollowerOptions): Promise<BaselineFollower> {
    const kv = await openBaselineBucket(nc);
    const apply = (entry: KvEntry | null) => {
      if (entry?.operation !== 'PUT') return;
      try {
        options.onChange(
          parseBaselineSet(
            entry.string(),
            `KV ${BASELINE_BUCKET}/${BASELINE_KEY} revision ${entry.revision}`,
          ),
          entry.revision,
        );
      } catch (err) {
        options.report(err);
      }
    };
    const current = await kv.get(BASELINE_KEY);
    apply(current);
    // From the revision after the one read (or the latest, if none was): no version is missed between.
    const watch = await kv.watch({
      key: BASELINE_KEY,
      ...(current ? { resumeFromRevision: current.revision + 1 } : {}),
    });
    void (async () => {
      for await (const entry of watch) apply(entry);
    })();
    return new BaselineFollower(watch);
  }

  stop(): void {
    this.#watch.stop();
  }
}
