import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import {
  CapabilityError,
  CapabilityErrorCode,
  CapabilityMethod,
  MAX_CAPABILITY_LIFETIME_MS,
  type MintFields,
  mintCapability,
  NonceCache,
  type VerifyCapabilityOptions,
  verifyCapability,
} from '../../../../src/actors/capability/index.js';
import { SignedPurpose, SignerError, SignerErrorCode, sealSigned } from '../../../../src/pki/signer/index.js';
import { createTestPki } from '../../../support/mesh-pki.js';

const PKI = await createTestPki();
const NODE = await PKI.identity('node', 'node-1');
const T0 = Date.now();
const frozen = (at: number) => () => at;
const ARGS = { repo: 'acme/api', number: 7 };
const FIELDS: MintFields = {
  sid: 'sess-1',
  server: 'github',
  tool: 'get_pull_request',
  args: ARGS,
  policyVersion: 'v42',
  callId: 'call-1',
  ttlMs: 5_000,
};

function call(overrides: Partial<VerifyCapabilityOptions> = {}): VerifyCapabilityOptions {
  return {
    server: 'github',
    tool: 'get_pull_request',
    args: ARGS,
    trust: PKI.trust({ clock: frozen(T0 + 1_000) }),
    clock: frozen(T0 + 1_000),
    nonces: new NonceCache(),
    ...overrides,
  };
}

async function codeOf(run: () => unknown): Promise<string> {
  try {
    await run();
  } catch (err) {
    if (err instanceof CapabilityError || err instanceof SignerError) return err.code;
    throw err;
  }
  throw new Error('expected a CapabilityError or SignerError, nothing was thrown');
}

const mint = (fields: Partial<MintFields> = {}) => mintCapability(NODE, { ...FIELDS, ...fields }, frozen(T0));

describe('mintCapability / verifyCapability', () => {
  it('round-trips every field and names the node that signed it', async () => {
    const { capability, signer } = await verifyCapability(mint(), call());
    expect(signer).toEqual({ kind: 'node', name: 'node-1' });
    expect(capability).toMatchObject({
      sid: 'sess-1',
      server: 'github',
      method: 'tools/call',
      tool: 'get_pull_request',
      exp: T0 + 5_000,
      policyVersion: 'v42',
      callId: 'call-1',
    });
    expect(capability.nonce).toMatch(/^[0-9a-f]{32}$/);
    expect(capability.argsDigest).toMatch(/^[0-9a-f]{64}$/);
  });

  it('digests arguments canonically: key order does not matter', async () => {
    await expect(
      verifyCapability(mint(), call({ args: { number: 7, repo: 'acme/api' } })),
    ).resolves.toBeDefined();
  });

  it('refuses garbage with ERR_CAPABILITY_MALFORMED', async () => {
    expect(await codeOf(() => verifyCapability(new Uint8Array([1, 2, 3]), call()))).toBe(
      CapabilityErrorCode.Malformed,
    );
    expect(await codeOf(() => verifyCapability(undefined, call()))).toBe(CapabilityErrorCode.Malformed);
  });

  it('refuses a capability signed under another CA, or altered, with ERR_SIGNER_*', async () => {
    const foreign = await (await createTestPki()).identity('node', 'node-1');
    const forged = mintCapability(foreign, FIELDS, frozen(T0));
    expect(await codeOf(() => verifyCapability(forged, call()))).toBe(SignerErrorCode.Untrusted);
    const altered = mint();
    altered[10] = (altered[10] ?? 0) ^ 1;
    expect(await codeOf(() => verifyCapability(altered, call()))).toBe(SignerErrorCode.Signature);
  });

  it('refuses a capability signed by a broker certificate with ERR_SIGNER_WRONG_KIND', async () => {
    const broker = await PKI.identity('broker', 'github');
    const bytes = mintCapability(broker, FIELDS, frozen(T0));
    expect(await codeOf(() => verifyCapability(bytes, call()))).toBe(SignerErrorCode.WrongKind);
  });

  it('refuses an expired capability, and one that lives longer than any may', async () => {
    const bytes = mint();
    expect(await codeOf(() => verifyCapability(bytes, call({ clock: frozen(T0 + 5_001) })))).toBe(
      CapabilityErrorCode.Expired,
    );
    const early = call({ clock: frozen(T0 + 5_000 - MAX_CAPABILITY_LIFETIME_MS - 1) });
    expect(await codeOf(() => verifyCapability(bytes, early))).toBe(CapabilityErrorCode.Expired);
  });

  it('refuses another tool, method or server name with ERR_CAPABILITY_WRONG_TOOL', async () => {
    const bytes = () => mint();
    expect(await codeOf(() => verifyCapability(bytes(), call({ tool: 'merge_pull_request' })))).toBe(
      CapabilityErrorCode.WrongTool,
    );
    expect(await codeOf(() => verifyCapability(bytes(), call({ method: CapabilityMethod.PromptsGet })))).toBe(
      CapabilityErrorCode.WrongTool,
    );
    expect(await codeOf(() => verifyCapability(bytes(), call({ server: 'filesystem' })))).toBe(
      CapabilityErrorCode.WrongTool,
    );
  });

  it('refuses other arguments with ERR_CAPABILITY_ARGS_MISMATCH', async () => {
    const bytes = mint();
    expect(await codeOf(() => verifyCapability(bytes, call({ args: { ...ARGS, number: 8 } })))).toBe(
      CapabilityErrorCode.ArgsMismatch,
    );
    expect(await codeOf(() => verifyCapability(bytes, call({ args: { ...ARGS, when: new Date(0) } })))).toBe(
      CapabilityErrorCode.ArgsMismatch,
    );
  });

  it('accepts a capability once: a replay is ERR_CAPABILITY_REPLAY', async () => {
    const bytes = mint();
    const nonces = new NonceCache();
    await verifyCapability(bytes, call({ nonces }));
    expect(await codeOf(() => verifyCapability(bytes, call({ nonces })))).toBe(CapabilityErrorCode.Replay);
  });

  it('does not use up a capability on a refused call', async () => {
    const bytes = mint();
    const nonces = new NonceCache();
    expect(await codeOf(() => verifyCapability(bytes, call({ nonces, tool: 'x' })))).toBe(
      CapabilityErrorCode.WrongTool,
    );
    expect((await verifyCapability(bytes, call({ nonces }))).capability.callId).toBe('call-1');
  });

  it('refuses mint options that would weaken the capability', async () => {
    expect(await codeOf(() => mint({ ttlMs: MAX_CAPABILITY_LIFETIME_MS + 1 }))).toBe(
      CapabilityErrorCode.InvalidOptions,
    );
    expect(await codeOf(() => mint({ args: { n: 10n } }))).toBe(CapabilityErrorCode.InvalidOptions);
    expect(await codeOf(() => mint({ server: 'git.hub' }))).toBe(CapabilityErrorCode.InvalidOptions);
  });
});

describe('verifyCapability on hostile bytes', () => {
  const packr = new Packr({ useRecords: false });
  const known = new Set<string>([...Object.values(CapabilityErrorCode), ...Object.values(SignerErrorCode)]);
  const options = call();

  async function onlyTypedErrors(bytes: Uint8Array): Promise<void> {
    try {
      await verifyCapability(bytes, { ...options, nonces: new NonceCache() });
    } catch (err) {
      if (!((err instanceof CapabilityError || err instanceof SignerError) && known.has(err.code))) throw err;
    }
  }

  it('rejects with nothing but typed errors on random bytes', async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 9_000 }), onlyTypedErrors), {
      numRuns: 2_000,
    });
  });

  it('rejects with nothing but typed errors on mutations of a valid capability', async () => {
    const valid = mint();
    const mutation = fc.record({
      at: fc.nat({ max: valid.length - 1 }),
      byte: fc.integer({ min: 0, max: 255 }),
      cut: fc.nat({ max: valid.length }),
    });
    await fc.assert(
      fc.asyncProperty(mutation, async ({ at, byte, cut }) => {
        const bytes = Uint8Array.from(valid);
        bytes[at] = byte;
        await onlyTypedErrors(bytes.subarray(0, Math.max(cut, at + 1)));
      }),
      { numRuns: 2_000 },
    );
  });

  it('rejects with nothing but typed errors on well-formed MessagePack of any shape', async () => {
    await fc.assert(
      fc.asyncProperty(fc.anything(), (value) => onlyTypedErrors(packr.pack(value))),
      { numRuns: 1_000 },
    );
  });

  it('refuses a correctly signed payload of the wrong shape as malformed', async () => {
    const signed = sealSigned(NODE, SignedPurpose.Capability, packr.pack([2, 'sid', 'github']));
    expect(await codeOf(() => verifyCapability(signed, call()))).toBe(CapabilityErrorCode.Malformed);
  });

  it('refuses bytes signed for another purpose (a broker answer) with ERR_SIGNER_SIGNATURE', async () => {
    const valid = mint();
    const frame = packr.unpack(valid) as Uint8Array[];
    const resigned = sealSigned(NODE, SignedPurpose.BrokerResponse, frame[0] as Uint8Array);
    expect(await codeOf(() => verifyCapability(resigned, call()))).toBe(SignerErrorCode.Signature);
  });
});

describe('NonceCache', () => {
  it('forgets a nonce only after its capability expired', async () => {
    const cache = new NonceCache({ maxEntries: 2 });
    cache.use('a', T0 + 10, T0);
    expect(await codeOf(() => cache.use('a', T0 + 10, T0 + 10))).toBe(CapabilityErrorCode.Replay);
    cache.use('b', T0 + 20, T0 + 11);
    expect(cache.size).toBe(1);
  });

  it('refuses new capabilities when full instead of forgetting live nonces', async () => {
    const cache = new NonceCache({ maxEntries: 2 });
    cache.use('a', T0 + 100, T0);
    cache.use('b', T0 + 100, T0);
    expect(await codeOf(() => cache.use('c', T0 + 100, T0 + 1))).toBe(CapabilityErrorCode.NonceCacheFull);
    expect(await codeOf(() => cache.use('a', T0 + 100, T0 + 1))).toBe(CapabilityErrorCode.Replay);
    cache.use('c', T0 + 200, T0 + 101);
    expect(cache.size).toBe(1);
  });
});
