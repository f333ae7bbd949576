import { randomBytes } from 'node:crypto';
import type { EnvelopeKind, SigningKey, VerifyingKey } from '../src/transport/envelope/index.js';
import {
  acceptHandshake,
  EnvelopeOpener,
  EnvelopeSealer,
  generateKeyPair,
  KeyRing,
  EnvelopeKind as Kinds,
  startHandshake,
} from '../src/transport/envelope/index.js';

/** Iterations per subject; sealing and opening are synchronous and microseconds long. */
const ITERATIONS = 20_000;
const WARM_UP = 5_000;
/** About the size of a small JSON-RPC tools/call request. */
const BODY_BYTES = 300;
const SID = 'bench-session';
const RPC: readonly EnvelopeKind[] = [Kinds.Rpc];

/**
 * Per-message cost of seal + open (µs): on an HMAC channel agreed by the handshake (what every mesh
 * message pays), and with per-message Ed25519 and P-256 signatures for comparison.
 */
export async function benchEnvelope(): Promise<Record<string, number>> {
  const agent = generateKeyPair('ed25519');
  const mesh = generateKeyPair('ed25519');
  const handshake = startHandshake(agent.signingKey, SID);
  const accepted = acceptHandshake(handshake.hello, SID, new KeyRing([agent.verifyingKey]), mesh.signingKey);
  const channel = handshake.finish(accepted.welcome, new KeyRing([mesh.verifyingKey]));
  return {
    envelope_sign_verify_us: measure(channel.sealer, accepted.channel.opener),
    envelope_sign_verify_ed25519_us: measureKeys(generateKeyPair('ed25519')),
    envelope_sign_verify_p256_us: measureKeys(generateKeyPair('p256')),
  };
}

function measureKeys(pair: { signingKey: SigningKey; verifyingKey: VerifyingKey }): number {
  return measure(new EnvelopeSealer(pair.signingKey), new EnvelopeOpener(new KeyRing([pair.verifyingKey])));
}

function measure(sealer: EnvelopeSealer, opener: EnvelopeOpener): number {
  const body = randomBytes(BODY_BYTES);
  const roundTrip = (): void => {
    opener.open(sealer.seal(Kinds.Rpc, SID, body), { sid: SID, kinds: RPC });
  };
  for (let i = 0; i < WARM_UP; i++) roundTrip();
  const started = process.hrtime.bigint();
  for (let i = 0; i < ITERATIONS; i++) roundTrip();
  const elapsedNs = Number(process.hrtime.bigint() - started);
  return Math.round(elapsedNs / ITERATIONS / 10) / 100;
}
