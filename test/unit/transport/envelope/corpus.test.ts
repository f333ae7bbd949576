import { describe, expect, it } from 'vitest';
import { buildEnvelopeCorpus } from '../../../../scripts/make-envelope-corpus.js';
import { EnvelopeError } from '../../../../src/transport/envelope/index.js';
import { corpusOpener, loadCorpus, outcome } from './corpus.js';

const { manifest, cases, files } = loadCorpus();

describe('envelope seed corpus', () => {
  it.each(cases.map((entry) => [entry.name, entry] as const))('%s opens as the manifest says', (_, entry) => {
    const result = outcome(corpusOpener(manifest), entry.bytes, { sid: manifest.sid, kinds: entry.kinds });
    if (entry.expect === 'ok') {
      expect(result).toEqual({ ok: entry.expected });
    } else {
      expect(result).toMatchObject({ error: expect.any(EnvelopeError) });
      expect((result as { error: EnvelopeError }).error.code).toBe(entry.expect);
    }
  });

  it('holds exactly the files the manifest lists', () => {
    expect(files.sort()).toEqual(cases.map((entry) => entry.file).sort());
  });

  it('is what the generator produces today (re-run scripts/make-envelope-corpus.ts after a wire change)', () => {
    const rebuilt = buildEnvelopeCorpus();
    expect(rebuilt.manifest).toEqual(manifest);
    for (const entry of cases) {
      expect(new Uint8Array(rebuilt.files.get(entry.file) ?? []), entry.file).toEqual(entry.bytes);
    }
  });
});
