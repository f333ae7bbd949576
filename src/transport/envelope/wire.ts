import { Packr } from 'msgpackr';
import { EnvelopeError, EnvelopeErrorCode } from './errors.js';
import {
  isEnvelopeKind,
  isWireId,
  MAX_ID_BYTES,
  MAX_TRACEPARENT_BYTES,
  MAX_TRACESTATE_BYTES,
  traceProblem,
} from './fields.js';
import { malformed, WireReader } from './reader.js';
import type { Envelope, EnvelopeHeader, SigningKey, TraceContext } from './types.js';
import { ENVELOPE_VERSION, SIGNATURE_BYTES } from './types.js';
import {
  asciiLength,
  binHeaderLength,
  numberLength,
  writeAscii,
  writeBinHeader,
  writeNumber,
} from './writer.js';

/**
 * Wire layout, version 1 (all MessagePack):
 *   frame  = [signed: bin, signature: bin]
 *   signed = [v, kind, sid, kid, seq, ts, traceparent | nil, tracestate | nil, body: bin]
 * The signature covers `signed` exactly as sent, so nothing is ever re-encoded to verify. The
 * version leads `signed` so a future layout can be recognised before its shape is checked.
 */
const V1_FIELDS = 9;
const MAX_KIND_BYTES = 16;

/**
 * A generous bound on everything in a frame except the body (bounded ids, trace strings, 64-byte
 * signature, MessagePack headers); the raw-size check before decoding is `maxBodyBytes` plus this.
 */
export const ENVELOPE_OVERHEAD_BYTES = 2048;

// Fixed configuration: plain MessagePack only (no records, structures, bundled strings or extension
// types), so the same values always encode to the same bytes with one meaning.
const packr = new Packr({
  useRecords: false,
  structuredClone: false,
  bundleStrings: false,
  moreTypes: false,
});

/** Encodes a list of plain values with the envelope's fixed MessagePack configuration. */
export function packList(values: readonly unknown[]): Uint8Array {
  return packr.pack(values);
}

/** The leading fields of a signed part: constant for every envelope one sealer sends in one (kind, sid). */
export type LeadingFields = Pick<EnvelopeHeader, 'v' | 'kind' | 'sid' | 'kid'>;

/** Encodes the fields a signed part starts with: its array header, version, kind, sid and kid. */
export function encodeLeading({ v, kind, sid, kid }: LeadingFields): Buffer {
  const out = Buffer.alloc(1 + numberLength(v) + asciiLength(kind) + asciiLength(sid) + asciiLength(kid));
  out[0] = 0x90 | V1_FIELDS;
  writeAscii(out, writeAscii(out, writeAscii(out, writeNumber(out, 1, v), kind), sid), kid);
  return out;
}

/** What changes from one envelope to the next after the leading fields. */
export interface VaryingFields {
  seq: number;
  ts: number;
  trace?: TraceContext | undefined;
  body: Uint8Array;
}

function signedLength(leading: Uint8Array, { seq, ts, trace, body }: VaryingFields): number {
  return (
    leading.length +
    numberLength(seq) +
    numberLength(ts) +
    asciiLength(trace?.traceparent) +
    asciiLength(trace?.tracestate) +
    binHeaderLength(body.length) +
    body.length
  );
}

function writeSigned(out: Buffer, at: number, leading: Uint8Array, fields: VaryingFields): number {
  const { seq, ts, trace, body } = fields;
  out.set(leading, at);
  let next = writeNumber(out, writeNumber(out, at + leading.length, seq), ts);
  next = writeAscii(out, writeAscii(out, next, trace?.traceparent), trace?.tracestate);
  next = writeBinHeader(out, next, body.length);
  out.set(body, next);
  return next + body.length;
}

/** Encodes a signed part on its own (the sealer builds it inside the frame instead). */
export function encodeSigned(header: EnvelopeHeader, body: Uint8Array): Uint8Array {
  const leading = encodeLeading(header);
  const fields = { seq: header.seq, ts: header.ts, trace: header.trace, body };
  const out = Buffer.alloc(signedLength(leading, fields));
  writeSigned(out, 0, leading, fields);
  return out;
}

/**
 * Builds a whole frame in one buffer, `key` signing the signed part where it lies: no intermediate
 * encoding and no copy. Every byte of the buffer is written before it is returned.
 */
export function sealFrame(leading: Uint8Array, fields: VaryingFields, key: SigningKey): Uint8Array {
  const length = signedLength(leading, fields);
  const start = 1 + binHeaderLength(length);
  const signatureLength = SIGNATURE_BYTES[key.alg];
  const out = Buffer.allocUnsafe(start + length + binHeaderLength(signatureLength) + signatureLength);
  out[0] = 0x92;
  writeBinHeader(out, 1, length);
  const end = writeSigned(out, start, leading, fields);
  const signature = key.sign(out.subarray(start, end));
  // A key whose signatures are not the size its algorithm promises still gets a correct frame.
  if (signature.length !== signatureLength) return encodeFrame(out.subarray(start, end), signature);
  out.set(signature, writeBinHeader(out, end, signatureLength));
  return out;
}

/** Frames `signed` and its signature into one freshly allocated buffer. */
export function encodeFrame(signed: Uint8Array, signature: Uint8Array): Uint8Array {
  const out = Buffer.alloc(frameLength(signed.length, signature.length));
  out[0] = 0x92;
  let at = writeBinHeader(out, 1, signed.length);
  out.set(signed, at);
  at = writeBinHeader(out, at + signed.length, signature.length);
  out.set(signature, at);
  return out;
}

/** Splits a frame; only the canonical encoding (fixarray, shortest bin headers) is accepted. */
export function decodeFrame(bytes: Uint8Array): { signed: Uint8Array; signature: Uint8Array } {
  const reader = new WireReader(bytes);
  if (reader.arrayHeader('frame') !== 2) throw malformed('frame is not [signed, signature]');
  const signed = reader.bin('signed part');
  const signature = reader.bin('signature');
  reader.end('signature');
  if (bytes.length !== frameLength(signed.length, signature.length)) {
    throw malformed('frame is not in canonical form');
  }
  return { signed, signature };
}

/** Decodes and type-checks the signed part; throws `ERR_ENVELOPE_VERSION` before looking at the shape. */
export function decodeSigned(signed: Uint8Array): Envelope {
  const reader = new WireReader(signed);
  const fields = reader.arrayHeader('header');
  const v = fields > 0 ? reader.numberOrUndefined('version') : undefined;
  if (v === undefined || !Number.isSafeInteger(v)) throw malformed('no version number leads the header');
  if (v !== ENVELOPE_VERSION) {
    throw new EnvelopeError(
      EnvelopeErrorCode.Version,
      `envelope version ${v} is not supported (this build speaks version ${ENVELOPE_VERSION}): upgrade the older side.`,
    );
  }
  if (fields !== V1_FIELDS) throw malformed(`header has ${fields} fields, version 1 has ${V1_FIELDS}`);
  const kind = reader.string('kind', MAX_KIND_BYTES);
  if (!isEnvelopeKind(kind)) throw malformed(`unknown kind '${kind}'`);
  const sid = reader.string('sid', MAX_ID_BYTES);
  const kid = reader.string('kid', MAX_ID_BYTES);
  if (!isWireId(sid) || !isWireId(kid)) throw malformed('sid and kid must be visible ASCII');
  const seq = reader.number('seq');
  if (!Number.isSafeInteger(seq) || seq < 1) throw malformed('seq is not a positive safe integer');
  const ts = reader.number('ts');
  if (!Number.isFinite(ts)) throw malformed('ts is not a finite number');
  const trace = readTrace(reader);
  const body = reader.bin('body');
  reader.end('body');
  const header: EnvelopeHeader = trace
    ? { v, kind, sid, kid, seq, ts, trace }
    : { v, kind, sid, kid, seq, ts };
  return { header, body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength) };
}

function readTrace(reader: WireReader): TraceContext | undefined {
  const traceparent = reader.stringOrNil('traceparent', MAX_TRACEPARENT_BYTES);
  const tracestate = reader.stringOrNil('tracestate', MAX_TRACESTATE_BYTES);
  if (traceparent === undefined) {
    if (tracestate !== undefined) throw malformed('tracestate without traceparent');
    return undefined;
  }
  const trace: TraceContext = tracestate === undefined ? { traceparent } : { traceparent, tracestate };
  const problem = traceProblem(trace);
  if (problem) throw malformed(problem);
  return trace;
}

function frameLength(signedLength: number, signatureLength: number): number {
  return (
    1 + binHeaderLength(signedLength) + signedLength + binHeaderLength(signatureLength) + signatureLength
  );
}
