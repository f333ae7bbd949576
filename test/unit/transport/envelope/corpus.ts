import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CorpusCase, CorpusManifest } from '../../../../scripts/make-envelope-corpus.js';
import { CORPUS_DIR } from '../../../../scripts/make-envelope-corpus.js';
import type { Envelope } from '../../../../src/transport/envelope/index.js';
import {
  EnvelopeOpener,
  hmacKey,
  importVerifyingKey,
  KeyRing,
} from '../../../../src/transport/envelope/index.js';

/** The checked-in seed corpus, read from disk (not regenerated), with what each case must give. */
export interface LoadedCase extends CorpusCase {
  bytes: Uint8Array;
  expected?: Envelope;
}

export function loadCorpus(): { manifest: CorpusManifest; cases: LoadedCase[]; files: string[] } {
  const manifest = JSON.parse(readFileSync(join(CORPUS_DIR, 'manifest.json'), 'utf8')) as CorpusManifest;
  const cases = manifest.cases.map((entry) => ({
    ...entry,
    bytes: new Uint8Array(readFileSync(join(CORPUS_DIR, entry.file))),
    ...(entry.envelope
      ? {
          expected: {
            header: entry.envelope.header,
            body: new Uint8Array(Buffer.from(entry.envelope.body, 'base64url')),
          },
        }
      : {}),
  }));
  const files = readdirSync(CORPUS_DIR).filter((file) => file.endsWith('.bin'));
  return { manifest, cases, files };
}

const rings = new WeakMap<CorpusManifest, KeyRing>();

/** A fresh opener (no replay state) configured as the manifest says: its keys, limits and frozen clock. */
export function corpusOpener(manifest: CorpusManifest): EnvelopeOpener {
  let keys = rings.get(manifest);
  if (!keys) {
    keys = new KeyRing([
      importVerifyingKey(manifest.trusted.ed25519),
      hmacKey(manifest.trusted.hmac.kid, Buffer.from(manifest.trusted.hmac.secret, 'base64url')),
    ]);
    rings.set(manifest, keys);
  }
  return new EnvelopeOpener(keys, { ...manifest.limits, clock: () => manifest.now });
}

/** Opens and reports the outcome as data, so properties can compare outcomes without try/catch noise. */
export function outcome(
  opener: EnvelopeOpener,
  bytes: Uint8Array,
  expect: { sid: string; kinds?: CorpusCase['kinds'] },
): { ok: Envelope } | { error: unknown } {
  try {
    return { ok: opener.open(bytes, expect) };
  } catch (error) {
    return { error };
  }
}
