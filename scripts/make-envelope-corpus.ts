/**
 * Regenerates the envelope seed corpus in test/corpus/envelope/: valid envelopes and one invalid
 * envelope per failure, each named after what it is, plus manifest.json saying what opening each
 * must give. Deterministic (Ed25519 and HMAC signatures, fixed keys and clock), so re-running it
 * on an unchanged codec changes no file. Run: npx tsx scripts/make-envelope-corpus.ts
 */
import type { JsonWebKey } from 'node:crypto';
import { createHash, createPrivateKey } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type {
  EnvelopeErrorCode,
  EnvelopeHeader,
  EnvelopeKind,
  SigningKey,
  TraceContext,
} from '../src/transport/envelope/index.js';
import { EnvelopeSealer, hmacKey, importSigningKey } from '../src/transport/envelope/index.js';
import { encodeFrame, packList } from '../src/transport/envelope/wire.js';

export const CORPUS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'corpus', 'envelope');

export interface CorpusCase {
  name: string;
  file: string;
  /** Kinds the opener is told to accept; all kinds when absent. */
  kinds?: EnvelopeKind[];
  expect: 'ok' | EnvelopeErrorCode;
  /** For valid cases: what `open` returns, the body in base64url. */
  envelope?: { header: EnvelopeHeader; body: string };
}

export interface CorpusManifest {
  comment: string;
  now: number;
  sid: string;
  limits: { maxBodyBytes: number; maxClockSkewMs: number; replayWindow: number };
  /** Keys the corpus opener trusts: an Ed25519 public JWK and an HMAC secret (base64url). */
  trusted: { ed25519: JsonWebKey; hmac: { kid: string; secret: string } };
  cases: CorpusCase[];
}

const NOW = 1_700_000_000_000;
const SID = 'corpus-session';
const LIMITS = { maxBodyBytes: 1024, maxClockSkewMs: 30_000, replayWindow: 64 };
const TRACE = {
  traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
  tracestate: 'tm=corpus',
};
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export function buildEnvelopeCorpus(): { manifest: CorpusManifest; files: Map<string, Uint8Array> } {
  const identity = ed25519FromSeed('trustmesh corpus identity');
  const stranger = ed25519FromSeed('trustmesh corpus stranger');
  const hmacSecret = seed('trustmesh corpus channel');
  const channel = hmacKey('ch.corpus0000000000.c2s', hmacSecret);
  const clock = () => NOW;
  const cases: CorpusCase[] = [];
  const files = new Map<string, Uint8Array>();
  const add = (
    name: string,
    bytes: Uint8Array,
    expect: CorpusCase['expect'],
    extra: Partial<CorpusCase> = {},
  ) => {
    const file = `${name}.bin`;
    files.set(file, bytes);
    cases.push({ name, file, expect, ...extra });
  };
  const valid = (
    name: string,
    key: SigningKey,
    kind: EnvelopeKind,
    body: Uint8Array,
    trace?: TraceContext,
  ) => {
    const bytes = new EnvelopeSealer(key, { clock }).seal(kind, SID, body, trace);
    const header: EnvelopeHeader = {
      v: 1,
      kind,
      sid: SID,
      kid: key.kid,
      seq: 1,
      ts: NOW,
      ...(trace ? { trace } : {}),
    };
    add(name, bytes, 'ok', { envelope: { header, body: Buffer.from(body).toString('base64url') } });
    return bytes;
  };

  const rpc = valid(
    'valid-ed25519-rpc',
    identity.key,
    'rpc',
    text('{"jsonrpc":"2.0","id":1,"method":"ping"}'),
  );
  valid('valid-ed25519-trace', identity.key, 'rpc', text('{"jsonrpc":"2.0","method":"x"}'), TRACE);
  valid('valid-ed25519-hello', identity.key, 'hello', seed('hello share').subarray(0, 32));
  valid('valid-hmac-rpc', channel, 'rpc', text('{"jsonrpc":"2.0","id":"a","result":{}}'), {
    traceparent: TRACE.traceparent,
  });
  valid('valid-hmac-empty', channel, 'rpc', new Uint8Array(0));
  const large = valid('valid-hmac-300', channel, 'rpc', pattern(300));

  const fields = (overrides: Record<number, unknown> = {}, key: SigningKey = identity.key): unknown[] => {
    const base: unknown[] = ['rpc', SID, key.kid, 1, NOW, null, null, text('{}')];
    const list: unknown[] = [1, ...base];
    for (const [at, value] of Object.entries(overrides)) list[Number(at)] = value;
    return list;
  };
  const signedList = (list: unknown[], key: SigningKey = identity.key) => frame(packList(list), key);

  add('empty', new Uint8Array(0), 'ERR_ENVELOPE_MALFORMED');
  add('garbage-text', text('GET / HTTP/1.1\r\nHost: mesh\r\n\r\n'), 'ERR_ENVELOPE_MALFORMED');
  add('truncated', rpc.subarray(0, Math.floor(rpc.length / 2)), 'ERR_ENVELOPE_MALFORMED');
  add('trailing-byte', Buffer.concat([rpc, Buffer.from([0])]), 'ERR_ENVELOPE_MALFORMED');
  add('frame-noncanonical', nonCanonical(large), 'ERR_ENVELOPE_MALFORMED');
  add(
    'frame-three-items',
    Buffer.concat([Buffer.from([0x93]), rpc.subarray(1), Buffer.from([0xc0])]),
    'ERR_ENVELOPE_MALFORMED',
  );
  add('version-2', signedList(fields({ 0: 2 })), 'ERR_ENVELOPE_VERSION');
  add('header-eight-fields', signedList(fields().slice(0, 8)), 'ERR_ENVELOPE_MALFORMED');
  add('kind-unknown', signedList(fields({ 1: 'ping' })), 'ERR_ENVELOPE_MALFORMED');
  add('sid-with-space', signedList(fields({ 2: 'corpus session' })), 'ERR_ENVELOPE_MALFORMED');
  add('seq-zero', signedList(fields({ 4: 0 })), 'ERR_ENVELOPE_MALFORMED');
  add('seq-string', signedList(fields({ 4: '1' })), 'ERR_ENVELOPE_MALFORMED');
  add('seq-fraction', signedList(fields({ 4: 1.5 })), 'ERR_ENVELOPE_MALFORMED');
  add('ts-nil', signedList(fields({ 5: null })), 'ERR_ENVELOPE_MALFORMED');
  add('ts-timestamp-extension', signedList(fields({ 5: new Date(NOW) })), 'ERR_ENVELOPE_MALFORMED');
  add('tracestate-alone', signedList(fields({ 7: 'tm=1' })), 'ERR_ENVELOPE_MALFORMED');
  add('body-string', signedList(fields({ 8: 'not binary' })), 'ERR_ENVELOPE_MALFORMED');
  add('sid-invalid-utf8', frame(invalidUtf8Sid(packList(fields())), identity.key), 'ERR_ENVELOPE_MALFORMED');
  add(
    'array-length-4g',
    frame(Buffer.from([0xdd, 0xff, 0xff, 0xff, 0xff, 0x01]), identity.key),
    'ERR_ENVELOPE_MALFORMED',
  );
  add(
    'bin-length-4g',
    Buffer.from([0x92, 0xc6, 0xff, 0xff, 0xff, 0xff, 0x99, 0x01]),
    'ERR_ENVELOPE_MALFORMED',
  );
  add('nested-arrays', frame(Buffer.alloc(2000, 0x91), identity.key), 'ERR_ENVELOPE_MALFORMED');
  add('body-oversize', signedList(fields({ 8: pattern(LIMITS.maxBodyBytes + 1) })), 'ERR_ENVELOPE_OVERSIZE');
  add('raw-oversize', pattern(LIMITS.maxBodyBytes + 4096), 'ERR_ENVELOPE_OVERSIZE');
  add('wrong-session', signedList(fields({ 2: 'another-session' })), 'ERR_ENVELOPE_WRONG_SESSION');
  add('wrong-kind', signedList(fields({ 1: 'welcome' })), 'ERR_ENVELOPE_WRONG_KIND', { kinds: ['rpc'] });
  add('unknown-key', signedList(fields({}, stranger.key), stranger.key), 'ERR_ENVELOPE_UNKNOWN_KEY');
  add('signature-flipped', flip(rpc, rpc.length - 1), 'ERR_ENVELOPE_SIGNATURE');
  add('body-tampered', flip(rpc, rpc.length - 70), 'ERR_ENVELOPE_SIGNATURE');
  add('hmac-under-ed25519-kid', frame(packList(fields()), channel), 'ERR_ENVELOPE_SIGNATURE');
  add('stale', signedList(fields({ 5: NOW - LIMITS.maxClockSkewMs - 1 })), 'ERR_ENVELOPE_STALE');
  add('from-the-future', signedList(fields({ 5: NOW + LIMITS.maxClockSkewMs + 1 })), 'ERR_ENVELOPE_STALE');

  const manifest: CorpusManifest = {
    comment: 'Generated by scripts/make-envelope-corpus.ts; do not edit by hand, re-run the script.',
    now: NOW,
    sid: SID,
    limits: LIMITS,
    trusted: {
      ed25519: identity.publicJwk,
      hmac: { kid: channel.kid, secret: hmacSecret.toString('base64url') },
    },
    cases,
  };
  return { manifest, files };
}

export function writeEnvelopeCorpus(dir = CORPUS_DIR): number {
  const { manifest, files } = buildEnvelopeCorpus();
  mkdirSync(dir, { recursive: true });
  for (const [file, bytes] of files) writeFileSync(join(dir, file), bytes);
  writeFileSync(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return files.size;
}

function seed(label: string): Buffer {
  return createHash('sha256').update(label).digest();
}

function ed25519FromSeed(label: string): { key: SigningKey; publicJwk: JsonWebKey } {
  const privateKey = createPrivateKey({
    key: Buffer.concat([ED25519_PKCS8_PREFIX, seed(label)]),
    format: 'der',
    type: 'pkcs8',
  });
  const jwk = privateKey.export({ format: 'jwk' });
  return { key: importSigningKey(jwk), publicJwk: { kty: jwk.kty, crv: jwk.crv, x: jwk.x } };
}

function frame(signed: Uint8Array, key: SigningKey): Uint8Array {
  return encodeFrame(signed, key.sign(signed));
}

function text(value: string): Uint8Array {
  return new TextEncoder().encode(value);
}

function pattern(length: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 31 + 7) & 0xff);
}

function flip(bytes: Uint8Array, at: number): Uint8Array {
  const copy = Uint8Array.from(bytes);
  copy[at]! ^= 0x01;
  return copy;
}

/** Re-frames with a bin32 header where bin16 is the shortest form. */
function nonCanonical(bytes: Uint8Array): Uint8Array {
  return Buffer.concat([Buffer.from([0x92, 0xc6, 0, 0, bytes[2]!, bytes[3]!]), bytes.subarray(4)]);
}

/** Replaces the sid's first byte with a lone UTF-8 continuation byte (same length, still signed). */
function invalidUtf8Sid(signed: Uint8Array): Uint8Array {
  const copy = Uint8Array.from(signed);
  copy[copy.indexOf(SID.charCodeAt(0), 2)] = 0x80;
  return copy;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const count = writeEnvelopeCorpus();
  console.log(`wrote ${count} envelopes and manifest.json to ${CORPUS_DIR}`);
}
