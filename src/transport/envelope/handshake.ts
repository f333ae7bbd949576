import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../clock.js';
import type { Ephemeral } from './agreement.js';
import { agree, deriveChannelKeys, newEphemeral, SHARE_BYTES, sha256 } from './agreement.js';
import type { EnvelopeLimits } from './codec.js';
import { EnvelopeOpener, EnvelopeSealer } from './codec.js';
import { EnvelopeError, EnvelopeErrorCode } from './errors.js';
import { KeyRing } from './keys.js';
import type { Envelope, KeyResolver, SigningKey, VerifyingKey } from './types.js';
import { EnvelopeKind, SignatureAlgorithm } from './types.js';

/** An established channel: HMAC-SHA256 envelopes under keys only the two handshake parties hold. */
export interface Channel {
  readonly sealer: EnvelopeSealer;
  readonly opener: EnvelopeOpener;
  /** Identity key id of the other side, verified during the handshake. */
  readonly peerKid: string;
  readonly sid: string;
}

export interface HandshakeOptions {
  /** @default systemClock */
  clock?: Clock;
  /** Limits for the handshake envelopes and the channel's opener. @default the codec's defaults */
  limits?: EnvelopeLimits;
}

export interface AgentHandshake {
  /** Send this to the mesh. */
  hello: Uint8Array;
  /** Checks the mesh's welcome against `trust` and returns the channel; a bad welcome leaves it retryable. */
  finish(welcome: Uint8Array, trust: KeyResolver): Channel;
}

export interface MeshHandshake {
  /** Send this back to the agent. */
  welcome: Uint8Array;
  channel: Channel;
  peerKid: string;
  /** The verified hello's timestamp: a mesh end accepts a re-handshake only from a newer hello. */
  helloTs: number;
}

// hello body = agent share ‖ agent nonce; welcome body = mesh share ‖ mesh nonce ‖ SHA-256(hello).
const HELLO_BYTES = 2 * SHARE_BYTES;
const WELCOME_BYTES = 3 * SHARE_BYTES;

/** The agent side: a hello signed with the agent's identity key, carrying an ephemeral X25519 share. */
export function startHandshake(
  identity: SigningKey,
  sid: string,
  options: HandshakeOptions = {},
): AgentHandshake {
  requireIdentity(identity);
  let ephemeral: Ephemeral | undefined = newEphemeral();
  const agentShare = ephemeral.publicKey;
  const agentNonce = randomBytes(SHARE_BYTES);
  const hello = new EnvelopeSealer(identity, { clock: options.clock }).seal(
    EnvelopeKind.Hello,
    sid,
    Buffer.concat([agentShare, agentNonce]),
  );
  const helloHash = sha256(hello);
  return {
    hello,
    finish(welcome, trust) {
      if (!ephemeral) {
        throw new EnvelopeError(
          EnvelopeErrorCode.HandshakeState,
          'this handshake already finished: start a new one.',
        );
      }
      const { header, body } = openHandshake(welcome, sid, trust, EnvelopeKind.Welcome, options);
      if (body.length !== WELCOME_BYTES) throw malformedBody('welcome', WELCOME_BYTES, body.length);
      const meshShare = body.subarray(0, SHARE_BYTES);
      if (!timingSafeEqual(body.subarray(2 * SHARE_BYTES), helloHash)) {
        throw new EnvelopeError(
          EnvelopeErrorCode.HandshakeTranscript,
          'the welcome answers a different hello (replayed or misrouted): start a new handshake.',
        );
      }
      const keys = deriveChannelKeys(agree(ephemeral.privateKey, meshShare), {
        sid,
        agentKid: identity.kid,
        meshKid: header.kid,
        agentShare,
        meshShare,
        agentNonce,
        meshNonce: body.subarray(SHARE_BYTES, 2 * SHARE_BYTES),
      });
      ephemeral = undefined;
      return channel(sid, header.kid, keys.agentToMesh, keys.meshToAgent, options);
    },
  };
}

/**
 * The mesh side: verifies the hello against `trust`, answers with a welcome signed by the mesh
 * identity, and derives the channel. A replayed hello gets a fresh welcome but no usable channel:
 * its keys need the agent's ephemeral private key, which never left the agent.
 */
export function acceptHandshake(
  hello: Uint8Array,
  sid: string,
  trust: KeyResolver,
  identity: SigningKey,
  options: HandshakeOptions = {},
): MeshHandshake {
  requireIdentity(identity);
  const { header, body } = openHandshake(hello, sid, trust, EnvelopeKind.Hello, options);
  if (body.length !== HELLO_BYTES) throw malformedBody('hello', HELLO_BYTES, body.length);
  const agentShare = body.subarray(0, SHARE_BYTES);
  const ephemeral = newEphemeral();
  const meshNonce = randomBytes(SHARE_BYTES);
  const secret = agree(ephemeral.privateKey, agentShare);
  const welcome = new EnvelopeSealer(identity, { clock: options.clock }).seal(
    EnvelopeKind.Welcome,
    sid,
    Buffer.concat([ephemeral.publicKey, meshNonce, sha256(hello)]),
  );
  const keys = deriveChannelKeys(secret, {
    sid,
    agentKid: header.kid,
    meshKid: identity.kid,
    agentShare,
    meshShare: ephemeral.publicKey,
    agentNonce: body.subarray(SHARE_BYTES),
    meshNonce,
  });
  return {
    welcome,
    channel: channel(sid, header.kid, keys.meshToAgent, keys.agentToMesh, options),
    peerKid: header.kid,
    helloTs: header.ts,
  };
}

function openHandshake(
  bytes: Uint8Array,
  sid: string,
  trust: KeyResolver,
  kind: EnvelopeKind,
  options: HandshakeOptions,
): Envelope {
  // Only identity keys may sign a handshake: a channel MAC key in the same ring must not open one.
  const identities: KeyResolver = {
    get: (kid) => {
      const key = trust.get(kid);
      return key && key.alg !== SignatureAlgorithm.HmacSha256 ? key : undefined;
    },
  };
  return new EnvelopeOpener(identities, { ...options.limits, clock: options.clock }).open(bytes, {
    sid,
    kinds: [kind],
  });
}

function channel(
  sid: string,
  peerKid: string,
  sending: SigningKey,
  receiving: VerifyingKey,
  options: HandshakeOptions,
): Channel {
  return Object.freeze({
    sid,
    peerKid,
    sealer: new EnvelopeSealer(sending, { clock: options.clock }),
    opener: new EnvelopeOpener(new KeyRing([receiving]), { ...options.limits, clock: options.clock }),
  });
}

function requireIdentity(identity: SigningKey): void {
  if (identity.alg === SignatureAlgorithm.HmacSha256) {
    throw new EnvelopeError(
      EnvelopeErrorCode.HandshakeKey,
      `key '${identity.kid}' is an HMAC key: a handshake must be signed with an Ed25519 or P-256 identity key.`,
    );
  }
}

function malformedBody(what: string, expected: number, actual: number): EnvelopeError {
  return new EnvelopeError(
    EnvelopeErrorCode.HandshakeMalformed,
    `the ${what} body is ${actual} bytes, not the ${expected} of a key share, nonce${what === 'welcome' ? ' and hello hash' : ''}: the peer is not speaking this handshake; start a new one.`,
  );
}
