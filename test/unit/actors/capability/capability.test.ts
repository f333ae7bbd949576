import { createHmac, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import {
  CapabilityError,
  CapabilityErrorCode,
  CapabilityMethod,
  deriveCapabilityKey,
  importCapabilityKey,
  MAX_CAPABILITY_LIFETIME_MS,
  type MintFields,
  mintCapability,
  NonceCache,
  type VerifyCapabilityOptions,
  verifyCapability,
} from '../../../../src/actors/capability/index.js';

const SECRET = randomBytes(32);
const KEY = deriveCapabilityKey(SECRET, 'github');
const T0 = 1_700_000_000_000;
const frozen = (at: number) => () => at;
const ARGS = { repo: 'acme/api', number: 7 };
const FIELDS: MintFields = {
  sid: 'sess-1',
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
    clock: frozen(T0 + 1_000),
    nonces: new NonceCache(),
    ...overrides,
  };
}

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(CapabilityError);
    return (err as CapabilityError).code;
  }
  throw new Error('expected a CapabilityError, nothing was thrown');
}

describe('mintCapability / verifyCapability', () => {
  it('round-trips every field and binds the server from the key', () => {
    const bytes = mintCapability(KEY, FIELDS, frozen(T0));
    const capability = verifyCapability(bytes, KEY, call());
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

  it('digests arguments canonically: key order does not matter', () => {
    const bytes = mintCapability(KEY, FIELDS, frozen(T0));
    expect(() => verifyCapability(bytes, KEY, call({ args: { number: 7, repo: 'acme/api' } }))).not.toThrow();
  });

  it('refuses garbage with ERR_CAPABILITY_MALFORMED', () => {
    expect(codeOf(() => verifyCapability(new Uint8Array([1, 2, 3]), KEY, call()))).toBe(
      CapabilityErrorCode.Malformed,
    );
    expect(codeOf(() => verifyCapability(undefined, KEY, call()))).toBe(CapabilityErrorCode.Malformed);
  });

  it('refuses a forged or altered capability with ERR_CAPABILITY_SIGNATURE', () => {
    const forged = mintCapability(deriveCapabilityKey(randomBytes(32), 'github'), FIELDS, frozen(T0));
    expect(codeOf(() => verifyCapability(forged, KEY, call()))).toBe(CapabilityErrorCode.Signature);
    const altered = mintCapability(KEY, FIELDS, frozen(T0));
    altered[10] = (altered[10] ?? 0) ^ 1;
    expect(codeOf(() => verifyCapability(altered, KEY, call()))).toBe(CapabilityErrorCode.Signature);
  });

  it("refuses another server's capability: its key differs", () => {
    const other = mintCapability(deriveCapabilityKey(SECRET, 'filesystem'), FIELDS, frozen(T0));
    expect(codeOf(() => verifyCapability(other, KEY, call()))).toBe(CapabilityErrorCode.Signature);
  });

  it('refuses an expired capability, and one that lives longer than any may', () => {
    const bytes = mintCapability(KEY, FIELDS, frozen(T0));
    expect(codeOf(() => verifyCapability(bytes, KEY, call({ clock: frozen(T0 + 5_001) })))).toBe(
      CapabilityErrorCode.Expired,
    );
    const early = call({ clock: frozen(T0 + 5_000 - MAX_CAPABILITY_LIFETIME_MS - 1) });
    expect(codeOf(() => verifyCapability(bytes, KEY, early))).toBe(CapabilityErrorCode.Expired);
  });

  it('refuses another tool, method or server name with ERR_CAPABILITY_WRONG_TOOL', () => {
    const bytes = () => mintCapability(KEY, FIELDS, frozen(T0));
    expect(codeOf(() => verifyCapability(bytes(), KEY, call({ tool: 'merge_pull_request' })))).toBe(
      CapabilityErrorCode.WrongTool,
    );
    expect(codeOf(() => verifyCapability(bytes(), KEY, call({ method: CapabilityMethod.PromptsGet })))).toBe(
      CapabilityErrorCode.WrongTool,
    );
    expect(codeOf(() => verifyCapability(bytes(), KEY, call({ server: 'filesystem' })))).toBe(
      CapabilityErrorCode.WrongTool,
    );
  });

  it('refuses other arguments with ERR_CAPABILITY_ARGS_MISMATCH', () => {
    const bytes = mintCapability(KEY, FIELDS, frozen(T0));
    expect(codeOf(() => verifyCapability(bytes, KEY, call({ args: { ...ARGS, number: 8 } })))).toBe(
      CapabilityErrorCode.ArgsMismatch,
    );
    expect(codeOf(() => verifyCapability(bytes, KEY, call({ args: { ...ARGS, when: new Date(0) } })))).toBe(
      CapabilityErrorCode.ArgsMismatch,
    );
  });

  it('accepts a capability once: a replay is ERR_CAPABILITY_REPLAY', () => {
    const bytes = mintCapability(KEY, FIELDS, frozen(T0));
    const nonces = new NonceCache();
    verifyCapability(bytes, KEY, call({ nonces }));
    expect(codeOf(() => verifyCapability(bytes, KEY, call({ nonces })))).toBe(CapabilityErrorCode.Replay);
  });

  it('does not use up a capability on a refused call', () => {
    const bytes = mintCapability(KEY, FIELDS, frozen(T0));
    const nonces = new NonceCache();
    expect(codeOf(() => verifyCapability(bytes, KEY, call({ nonces, tool: 'x' })))).toBe(
      CapabilityErrorCode.WrongTool,
    );
    expect(verifyCapability(bytes, KEY, call({ nonces })).callId).toBe('call-1');
  });

  it('refuses mint options that would weaken the capability', () => {
    expect(codeOf(() => mintCapability(KEY, { ...FIELDS, ttlMs: MAX_CAPABILITY_LIFETIME_MS + 1 }))).toBe(
      CapabilityErrorCode.InvalidOptions,
    );
    expect(codeOf(() => mintCapability(KEY, { ...FIELDS, args: { n: 10n } }))).toBe(
      CapabilityErrorCode.InvalidOptions,
    );
    expect(codeOf(() => deriveCapabilityKey(randomBytes(16), 'github'))).toBe(
      CapabilityErrorCode.InvalidOptions,
    );
    expect(codeOf(() => deriveCapabilityKey(SECRET, 'git.hub'))).toBe(CapabilityErrorCode.InvalidOptions);
  });

  it('derives the same server key on a node and for a broker given the raw bytes', () => {
    const raw = KEY.key.export();
    const brokerKey = importCapabilityKey('github', raw);
    const bytes = mintCapability(KEY, FIELDS, frozen(T0));
    expect(verifyCapability(bytes, brokerKey, call()).tool).toBe('get_pull_request');
  });
});

describe('verifyCapability on hostile bytes', () => {
  const packr = new Packr({ useRecords: false });
  const known = new Set<string>(Object.values(CapabilityErrorCode));

  function onlyCapabilityErrors(bytes: Uint8Array): void {
    try {
      verifyCapability(bytes, KEY, call());
    } catch (err) {
      if (!(err instanceof CapabilityError && known.has(err.code))) throw err;
    }
  }

  it('throws nothing but CapabilityError on random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 9_000 }), onlyCapabilityErrors), { numRuns: 2_000 });
  });

  it('throws nothing but CapabilityError on mutations of a valid capability', () => {
    const valid = mintCapability(KEY, FIELDS, frozen(T0));
    const mutation = fc.record({
      at: fc.nat({ max: valid.length - 1 }),
      byte: fc.integer({ min: 0, max: 255 }),
      cut: fc.nat({ max: valid.length }),
    });
    fc.assert(
      fc.property(mutation, ({ at, byte, cut }) => {
        const bytes = Uint8Array.from(valid);
        bytes[at] = byte;
        onlyCapabilityErrors(bytes.subarray(0, Math.max(cut, at + 1)));
      }),
      { numRuns: 2_000 },
    );
  });

  it('throws nothing but CapabilityError on well-formed MessagePack of any shape', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => onlyCapabilityErrors(packr.pack(value))),
      { numRuns: 1_000 },
    );
  });

  it('refuses a correctly MACed payload of the wrong shape as malformed', () => {
    const payload = packr.pack([1, 'sid', 'github']);
    const tag = createHmac('sha256', KEY.key).update(payload).digest();
    expect(codeOf(() => verifyCapability(packr.pack([payload, tag]), KEY, call()))).toBe(
      CapabilityErrorCode.Malformed,
    );
  });
});

describe('NonceCache', () => {
  it('forgets a nonce only after its capability expired', () => {
    const cache = new NonceCache({ maxEntries: 2 });
    cache.use('a', T0 + 10, T0);
    expect(codeOf(() => cache.use('a', T0 + 10, T0 + 10))).toBe(CapabilityErrorCode.Replay);
    cache.use('b', T0 + 20, T0 + 11);
    expect(cache.size).toBe(1);
  });

  it('refuses new capabilities when full instead of forgetting live nonces', () => {
    const cache = new NonceCache({ maxEntries: 2 });
    cache.use('a', T0 + 100, T0);
    cache.use('b', T0 + 100, T0);
    expect(codeOf(() => cache.use('c', T0 + 100, T0 + 1))).toBe(CapabilityErrorCode.NonceCacheFull);
    expect(codeOf(() => cache.use('a', T0 + 100, T0 + 1))).toBe(CapabilityErrorCode.Replay);
    cache.use('c', T0 + 200, T0 + 101);
    expect(cache.size).toBe(1);
  });
});
