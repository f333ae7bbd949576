import { describe, expect, it } from 'vitest';
import type { Channel } from '../../../../src/transport/envelope/index.js';
import {
  acceptHandshake,
  EnvelopeErrorCode,
  EnvelopeSealer,
  generateKeyPair,
  hmacKey,
  KeyRing,
  startHandshake,
} from '../../../../src/transport/envelope/index.js';
import { expectCode, steppedClock, text } from './helpers.js';

const SID = 'sess-handshake';
const RPC = { sid: SID, kinds: ['rpc'] as const };

function parties(agentAlg: 'ed25519' | 'p256' = 'ed25519', meshAlg: 'ed25519' | 'p256' = 'ed25519') {
  const clock = steppedClock();
  const agent = generateKeyPair(agentAlg);
  const mesh = generateKeyPair(meshAlg);
  return {
    clock,
    agent,
    mesh,
    agentTrust: new KeyRing([mesh.verifyingKey]),
    meshTrust: new KeyRing([agent.verifyingKey]),
  };
}

function flipLastBodyByte(envelope: Uint8Array): Uint8Array {
  const copy = Uint8Array.from(envelope);
  copy[copy.length - 67]! ^= 0x01; // just before the bin8 header of the 64-byte signature
  return copy;
}

function send(from: Channel, to: Channel, body: Uint8Array): Uint8Array {
  return to.opener.open(from.sealer.seal('rpc', SID, body), RPC).body;
}

describe('channel handshake', () => {
  for (const [agentAlg, meshAlg] of [
    ['ed25519', 'ed25519'],
    ['p256', 'ed25519'],
    ['ed25519', 'p256'],
  ] as const) {
    it(`${agentAlg} agent, ${meshAlg} mesh: agrees a channel that carries 1,000 messages each way`, () => {
      const { clock, agent, mesh, agentTrust, meshTrust } = parties(agentAlg, meshAlg);
      const started = startHandshake(agent.signingKey, SID, { clock });
      const accepted = acceptHandshake(started.hello, SID, meshTrust, mesh.signingKey, { clock });
      const agentChannel = started.finish(accepted.welcome, agentTrust);
      expect(accepted.peerKid).toBe(agent.signingKey.kid);
      expect(accepted.channel.peerKid).toBe(agent.signingKey.kid);
      expect(agentChannel.peerKid).toBe(mesh.signingKey.kid);
      expect([agentChannel.sid, accepted.channel.sid]).toEqual([SID, SID]);
      for (let i = 0; i < 1_000; i++) {
        clock.advance(1);
        expect(send(agentChannel, accepted.channel, text(`request ${i}`))).toEqual(text(`request ${i}`));
        expect(send(accepted.channel, agentChannel, text(`response ${i}`))).toEqual(text(`response ${i}`));
      }
    });
  }

  it('uses one derived key per direction: a message reflected back to its sender is refused', () => {
    const { agent, mesh, agentTrust, meshTrust } = parties();
    const started = startHandshake(agent.signingKey, SID);
    const accepted = acceptHandshake(started.hello, SID, meshTrust, mesh.signingKey);
    const agentChannel = started.finish(accepted.welcome, agentTrust);
    const outgoing = agentChannel.sealer.seal('rpc', SID, text('x'));
    const kid = accepted.channel.opener.open(outgoing, { sid: SID }).header.kid;
    expect(kid).toMatch(/^ch\.[A-Za-z0-9_-]{16}\.c2s$/);
    expectCode(() => agentChannel.opener.open(outgoing, { sid: SID }), EnvelopeErrorCode.UnknownKey);
  });

  it('gives each handshake its own channel keys, even in the same session with the same identities', () => {
    const { agent, mesh, agentTrust, meshTrust } = parties();
    const first = startHandshake(agent.signingKey, SID);
    const firstMesh = acceptHandshake(first.hello, SID, meshTrust, mesh.signingKey).channel;
    const second = startHandshake(agent.signingKey, SID);
    const secondAgent = second.finish(
      acceptHandshake(second.hello, SID, meshTrust, mesh.signingKey).welcome,
      agentTrust,
    );
    expectCode(
      () => firstMesh.opener.open(secondAgent.sealer.seal('rpc', SID, text('x')), { sid: SID }),
      EnvelopeErrorCode.UnknownKey,
    );
  });

  it('ERR_ENVELOPE_UNKNOWN_KEY when the mesh does not trust the agent', () => {
    const { agent, mesh } = parties();
    const started = startHandshake(agent.signingKey, SID);
    expectCode(
      () => acceptHandshake(started.hello, SID, new KeyRing(), mesh.signingKey),
      EnvelopeErrorCode.UnknownKey,
    );
  });

  it('ERR_ENVELOPE_UNKNOWN_KEY when the agent does not trust the mesh (a forged welcome)', () => {
    const { agent, meshTrust } = parties();
    const impostor = generateKeyPair('ed25519');
    const started = startHandshake(agent.signingKey, SID);
    const forged = acceptHandshake(started.hello, SID, meshTrust, impostor.signingKey).welcome;
    expectCode(
      () => started.finish(forged, new KeyRing([generateKeyPair('ed25519').verifyingKey])),
      EnvelopeErrorCode.UnknownKey,
    );
  });

  it('ERR_ENVELOPE_UNKNOWN_KEY for a hello MACed with a channel key that sits in the trust ring', () => {
    const { mesh } = parties();
    const channelKey = hmacKey('ch.lurking.c2s', new Uint8Array(32).fill(1));
    const hello = new EnvelopeSealer(channelKey).seal('hello', SID, new Uint8Array(64));
    expectCode(
      () => acceptHandshake(hello, SID, new KeyRing([channelKey]), mesh.signingKey),
      EnvelopeErrorCode.UnknownKey,
    );
  });

  it('ERR_ENVELOPE_SIGNATURE for a tampered hello or welcome', () => {
    const { agent, mesh, agentTrust, meshTrust } = parties();
    const started = startHandshake(agent.signingKey, SID);
    expectCode(
      () => acceptHandshake(flipLastBodyByte(started.hello), SID, meshTrust, mesh.signingKey),
      EnvelopeErrorCode.Signature,
    );
    const { welcome } = acceptHandshake(started.hello, SID, meshTrust, mesh.signingKey);
    expectCode(() => started.finish(flipLastBodyByte(welcome), agentTrust), EnvelopeErrorCode.Signature);
  });

  it('ERR_ENVELOPE_WRONG_SESSION for a hello or a welcome of another session', () => {
    const { agent, mesh, agentTrust, meshTrust } = parties();
    const elsewhere = startHandshake(agent.signingKey, 'sess-other');
    expectCode(
      () => acceptHandshake(elsewhere.hello, SID, meshTrust, mesh.signingKey),
      EnvelopeErrorCode.WrongSession,
    );
    const otherWelcome = acceptHandshake(elsewhere.hello, 'sess-other', meshTrust, mesh.signingKey).welcome;
    const started = startHandshake(agent.signingKey, SID);
    expectCode(() => started.finish(otherWelcome, agentTrust), EnvelopeErrorCode.WrongSession);
  });

  it('ERR_HANDSHAKE_TRANSCRIPT for a replayed welcome that answered an earlier hello', () => {
    const { agent, mesh, agentTrust, meshTrust } = parties();
    const earlier = startHandshake(agent.signingKey, SID);
    const oldWelcome = acceptHandshake(earlier.hello, SID, meshTrust, mesh.signingKey).welcome;
    const started = startHandshake(agent.signingKey, SID);
    expectCode(() => started.finish(oldWelcome, agentTrust), EnvelopeErrorCode.HandshakeTranscript);
    // The refusal leaves the handshake usable for the genuine welcome.
    const genuine = acceptHandshake(started.hello, SID, meshTrust, mesh.signingKey);
    expect(send(started.finish(genuine.welcome, agentTrust), genuine.channel, text('ok'))).toEqual(
      text('ok'),
    );
  });

  it('a replayed hello yields no channel an attacker can use', () => {
    const { agent, mesh, agentTrust, meshTrust } = parties();
    const started = startHandshake(agent.signingKey, SID);
    const genuine = acceptHandshake(started.hello, SID, meshTrust, mesh.signingKey);
    const agentChannel = started.finish(genuine.welcome, agentTrust);
    // The attacker replays the captured hello and gets a fresh welcome and a mesh-side channel…
    const replayed = acceptHandshake(started.hello, SID, meshTrust, mesh.signingKey);
    // …but cannot finish it (the agent's handshake is done, and a new one rejects this welcome)…
    expectCode(() => started.finish(replayed.welcome, agentTrust), EnvelopeErrorCode.HandshakeState);
    expectCode(
      () => startHandshake(agent.signingKey, SID).finish(replayed.welcome, agentTrust),
      EnvelopeErrorCode.HandshakeTranscript,
    );
    // …and the replayed channel's keys differ from the genuine ones: captured traffic does not open there.
    const captured = agentChannel.sealer.seal('rpc', SID, text('captured'));
    expectCode(() => replayed.channel.opener.open(captured, { sid: SID }), EnvelopeErrorCode.UnknownKey);
  });

  it('ERR_ENVELOPE_STALE for a hello replayed after the clock skew window', () => {
    const { clock, agent, mesh, meshTrust } = parties();
    const started = startHandshake(agent.signingKey, SID, { clock });
    clock.advance(5_001);
    expectCode(
      () =>
        acceptHandshake(started.hello, SID, meshTrust, mesh.signingKey, {
          clock,
          limits: { maxClockSkewMs: 5_000 },
        }),
      EnvelopeErrorCode.Stale,
    );
  });

  it('ERR_HANDSHAKE_STATE when finishing twice', () => {
    const { agent, mesh, agentTrust, meshTrust } = parties();
    const started = startHandshake(agent.signingKey, SID);
    const { welcome } = acceptHandshake(started.hello, SID, meshTrust, mesh.signingKey);
    started.finish(welcome, agentTrust);
    expectCode(() => started.finish(welcome, agentTrust), EnvelopeErrorCode.HandshakeState);
  });

  it('ERR_HANDSHAKE_MALFORMED for a signed hello whose body is not a key share and nonce', () => {
    const { agent, mesh, meshTrust } = parties();
    const hello = new EnvelopeSealer(agent.signingKey).seal('hello', SID, new Uint8Array(63));
    expectCode(
      () => acceptHandshake(hello, SID, meshTrust, mesh.signingKey),
      EnvelopeErrorCode.HandshakeMalformed,
    );
  });

  it('ERR_HANDSHAKE_KEY for a low-order ephemeral share, and for an HMAC identity', () => {
    const { agent, mesh, meshTrust } = parties();
    const hello = new EnvelopeSealer(agent.signingKey).seal('hello', SID, new Uint8Array(64));
    expectCode(() => acceptHandshake(hello, SID, meshTrust, mesh.signingKey), EnvelopeErrorCode.HandshakeKey);
    expectCode(
      () => startHandshake(hmacKey('ch.x', new Uint8Array(32)), SID),
      EnvelopeErrorCode.HandshakeKey,
    );
  });
});
