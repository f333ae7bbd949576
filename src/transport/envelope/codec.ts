import type { Clock } from '../../clock.js';
import { systemClock } from '../../clock.js';
import { EnvelopeError, EnvelopeErrorCode, EnvelopeOptionsError } from './errors.js';
import { isEnvelopeKind, isWireId, traceProblem } from './fields.js';
import { ReplayWindow } from './replay.js';
import type { Envelope, EnvelopeKind, KeyResolver, SigningKey, TraceContext, VerifyingKey } from './types.js';
import { ENVELOPE_VERSION, EnvelopeKind as Kinds } from './types.js';
import { decodeFrame, decodeSigned, ENVELOPE_OVERHEAD_BYTES, encodeLeading, sealFrame } from './wire.js';

/** What a receiver accepts. */
export interface EnvelopeLimits {
  /** Largest body accepted, in bytes. @default 1 MiB (NATS' default max_payload) */
  maxBodyBytes?: number;
  /** Largest difference between the sender's timestamp and our clock, in ms. @default 30_000 */
  maxClockSkewMs?: number;
  /** How many sequence numbers below the highest seen are still accepted (once each). @default 1024 */
  replayWindow?: number;
}

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
export const DEFAULT_MAX_CLOCK_SKEW_MS = 30_000;
export const DEFAULT_REPLAY_WINDOW = 1024;

// Upper bounds that keep a misconfiguration from disabling a control: 64 MiB is NATS' hard payload
// limit, an hour of skew is no replay protection worth the name, 65,536 bits is 8 KiB per sender.
const MAX_BODY_BYTES = 64 * 1024 * 1024;
const MAX_CLOCK_SKEW_MS = 3_600_000;
const MAX_REPLAY_WINDOW = 65_536;

/** Fills in defaults and rejects values that are not integers in range. */
export function parseEnvelopeLimits(limits: EnvelopeLimits = {}): Required<EnvelopeLimits> {
  return {
    maxBodyBytes: bounded('maxBodyBytes', limits.maxBodyBytes, DEFAULT_MAX_BODY_BYTES, 1, MAX_BODY_BYTES),
    maxClockSkewMs: bounded(
      'maxClockSkewMs',
      limits.maxClockSkewMs,
      DEFAULT_MAX_CLOCK_SKEW_MS,
      0,
      MAX_CLOCK_SKEW_MS,
    ),
    replayWindow: bounded('replayWindow', limits.replayWindow, DEFAULT_REPLAY_WINDOW, 1, MAX_REPLAY_WINDOW),
  };
}

function bounded(
  name: string,
  value: number | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new EnvelopeOptionsError(
      `envelope limit ${name} is ${value}: set an integer from ${min} to ${max}.`,
    );
  }
  return value;
}

/** What `open` expects of an envelope, beyond a valid signature. */
export interface OpenExpectation {
  sid: string;
  /** Kinds accepted here. @default every kind */
  kinds?: readonly EnvelopeKind[];
}

const ALL_KINDS: readonly EnvelopeKind[] = Object.values(Kinds);

/** What a sealer keeps per session: the last sequence and the constant leading bytes, per kind. */
interface SealerSession {
  seq: number;
  leading: Partial<Record<EnvelopeKind, Uint8Array>>;
}

/** Signs outgoing envelopes with one key; numbers them per session from 1. */
export class EnvelopeSealer {
  readonly #key: SigningKey;
  readonly #clock: Clock;
  readonly #sessions = new Map<string, SealerSession>();

  constructor(key: SigningKey, options: { clock?: Clock } = {}) {
    this.#key = key;
    this.#clock = options.clock ?? systemClock;
  }

  /** Throws `ERR_ENVELOPE_MALFORMED` for what no receiver would accept (unknown kind, bad sid or trace). */
  seal(kind: EnvelopeKind, sid: string, body: Uint8Array, trace?: TraceContext): Uint8Array {
    let session = this.#sessions.get(sid);
    const problem = sealProblem(kind, session ? undefined : sid, body, trace);
    if (problem) throw new EnvelopeError(EnvelopeErrorCode.Malformed, `cannot seal: ${problem}.`);
    if (!session) {
      session = { seq: 0, leading: {} };
      this.#sessions.set(sid, session);
    }
    // Version, kind, sid and kid never change for a (kind, sid): encode them once.
    let leading = session.leading[kind];
    if (!leading) {
      leading = encodeLeading({ v: ENVELOPE_VERSION, kind, sid, kid: this.#key.kid });
      session.leading[kind] = leading;
    }
    session.seq += 1;
    return sealFrame(leading, { seq: session.seq, ts: this.#clock(), trace, body }, this.#key);
  }
}

/** What is wrong with what `seal` was given; `sid` is undefined when it was already checked. */
function sealProblem(kind: unknown, sid: unknown, body: unknown, trace?: TraceContext): string | undefined {
  if (!isEnvelopeKind(kind)) return `unknown kind '${String(kind)}'`;
  if (sid !== undefined && !isWireId(sid)) return 'sid must be 1-128 visible ASCII characters';
  if (!(body instanceof Uint8Array)) return 'body must be a Uint8Array';
  return trace === undefined ? undefined : traceProblem(trace);
}

/**
 * Checks incoming envelopes. `open` throws nothing but `EnvelopeError`, and checks cheap things
 * before expensive ones: raw size, shape and version, session, kind and key before the signature;
 * the signature before time and replay state, so a forgery can neither burn a sequence number nor
 * be reported as anything but a bad signature once it names a key we trust.
 */
export class EnvelopeOpener {
  readonly #keys: KeyResolver;
  readonly #clock: Clock;
  readonly #limits: Required<EnvelopeLimits>;
  // One window per authenticated (sid, kid): only a valid signature creates one.
  readonly #windows = new Map<string, Map<string, ReplayWindow>>();

  constructor(keys: KeyResolver, options: EnvelopeLimits & { clock?: Clock } = {}) {
    this.#keys = keys;
    this.#clock = options.clock ?? systemClock;
    this.#limits = parseEnvelopeLimits(options);
  }

  open(bytes: Uint8Array, expect: OpenExpectation): Envelope {
    try {
      return this.#open(bytes, expect);
    } catch (err) {
      if (err instanceof EnvelopeError) throw err;
      throw new EnvelopeError(EnvelopeErrorCode.Malformed, 'envelope could not be decoded: drop it.', {
        cause: err,
      });
    }
  }

  #open(bytes: Uint8Array, expect: OpenExpectation): Envelope {
    const { maxBodyBytes, maxClockSkewMs } = this.#limits;
    if (!(bytes instanceof Uint8Array))
      throw fail(EnvelopeErrorCode.Malformed, 'envelope is not a byte array');
    if (bytes.length > maxBodyBytes + ENVELOPE_OVERHEAD_BYTES) throw oversize(bytes.length, maxBodyBytes);
    const { signed, signature } = decodeFrame(bytes);
    const envelope = decodeSigned(signed);
    const { header } = envelope;
    if (envelope.body.length > maxBodyBytes) throw oversize(envelope.body.length, maxBodyBytes);
    if (header.sid !== expect.sid) {
      throw fail(
        EnvelopeErrorCode.WrongSession,
        `envelope belongs to session '${header.sid}', not '${expect.sid}': a peer is crossing sessions`,
      );
    }
    if (!(expect.kinds ?? ALL_KINDS).includes(header.kind)) {
      throw fail(EnvelopeErrorCode.WrongKind, `a '${header.kind}' envelope is not accepted here`);
    }
    const key = this.#resolve(header.kid);
    if (!verifies(key, signed, signature)) {
      throw fail(
        EnvelopeErrorCode.Signature,
        `signature by key '${header.kid}' does not verify: the envelope was forged or altered`,
      );
    }
    const now = this.#clock();
    if (!(Math.abs(now - header.ts) <= maxClockSkewMs)) {
      throw fail(
        EnvelopeErrorCode.Stale,
        `envelope time ${header.ts} is more than ${maxClockSkewMs} ms from ours (${now}): check both clocks (NTP), or it is an old message replayed`,
      );
    }
    if (!this.#window(header.sid, header.kid).accept(header.seq)) {
      throw fail(
        EnvelopeErrorCode.Replay,
        `sequence ${header.seq} from key '${header.kid}' was already seen or is too old: replay refused`,
      );
    }
    return envelope;
  }

  #resolve(kid: string): VerifyingKey {
    let key: VerifyingKey | undefined;
    try {
      key = this.#keys.get(kid);
    } catch (cause) {
      throw fail(EnvelopeErrorCode.UnknownKey, `key '${kid}' could not be looked up`, cause);
    }
    if (!key)
      throw fail(
        EnvelopeErrorCode.UnknownKey,
        `key '${kid}' is not trusted here: add it to the key ring or reject the peer`,
      );
    return key;
  }

  #window(sid: string, kid: string): ReplayWindow {
    let byKid = this.#windows.get(sid);
    if (!byKid) {
      byKid = new Map();
      this.#windows.set(sid, byKid);
    }
    let window = byKid.get(kid);
    if (!window) {
      window = new ReplayWindow(this.#limits.replayWindow);
      byKid.set(kid, window);
    }
    return window;
  }
}

function verifies(key: VerifyingKey, signed: Uint8Array, signature: Uint8Array): boolean {
  try {
    return key.verify(signed, signature) === true;
  } catch {
    return false;
  }
}

function oversize(size: number, maxBodyBytes: number): EnvelopeError {
  return fail(
    EnvelopeErrorCode.Oversize,
    `envelope of ${size} bytes exceeds the ${maxBodyBytes}-byte body limit: send less, or raise maxBodyBytes on the receiver`,
  );
}

function fail(code: EnvelopeErrorCode, message: string, cause?: unknown): EnvelopeError {
  return new EnvelopeError(code, `${message}.`, cause === undefined ? undefined : { cause });
}
