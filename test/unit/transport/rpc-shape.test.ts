import { JSONRPCMessageSchema } from '@modelcontextprotocol/sdk/types.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeRpc } from '../../../src/transport/rpc-codec.js';
import { rpcMessageProblem } from '../../../src/transport/rpc-shape.js';

const RELATED_TASK = 'io.modelcontextprotocol/related-task';
const odd = fc.constantFrom<unknown>(null, [], 'x', 0, 1.5, true, {});
// Mostly well-formed parts, now and then a wrong one, so both outcomes stay frequent.
const mostly = <T>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<unknown>) =>
  fc.oneof({ arbitrary: good, weight: 6 }, { arbitrary: bad, weight: 1 });
const loose = <T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }) => fc.record(model, { requiredKeys: [] });
const id = mostly(
  fc.oneof(fc.string({ maxLength: 3 }), fc.integer()),
  fc.oneof(fc.constantFrom(1.5, 2 ** 53, -(2 ** 53)), odd),
);
const meta = mostly(
  loose({
    progressToken: id,
    [RELATED_TASK]: mostly(loose({ taskId: mostly(fc.string(), fc.integer()), extra: fc.jsonValue() }), odd),
    other: fc.jsonValue(),
  }),
  odd,
);
const params = mostly(loose({ _meta: meta, name: fc.jsonValue() }), odd);
const error = mostly(
  loose({
    code: mostly(fc.integer(), fc.constantFrom<unknown>(1.5, '1', 2 ** 53)),
    message: mostly(fc.string(), fc.integer()),
    data: fc.jsonValue(),
    extra: fc.jsonValue(),
  }),
  odd,
);
const jsonrpc = mostly(fc.constant('2.0'), fc.constantFrom<unknown>('1.0', 2, null));
const method = mostly(fc.string({ maxLength: 12 }), fc.constantFrom<unknown>(1, null));
const stray = mostly(fc.constant(undefined), fc.jsonValue());
// Shaped like each kind, then perturbed: valid and almost-valid messages both occur often.
const message = fc
  .oneof(
    fc.record({ jsonrpc, id, method, params: fc.option(params, { nil: undefined }), stray }),
    fc.record({ jsonrpc, method, params: fc.option(params, { nil: undefined }), stray }),
    fc.record({ jsonrpc, id, result: params, stray }),
    fc.record({ jsonrpc, id: fc.option(id, { nil: undefined }), error, stray }),
    loose({ jsonrpc, id, method, params, result: params, error, stray }),
    fc.jsonValue(),
  )
  // Through JSON text, as the transport receives it: undefined members disappear.
  .map((value) => JSON.parse(JSON.stringify(value) ?? 'null') as unknown);

describe('rpcMessageProblem', () => {
  it("accepts exactly what the SDK's JSONRPCMessageSchema accepts", () => {
    const seen = { valid: 0, invalid: 0 };
    fc.assert(
      fc.property(message, (value) => {
        const accepted = rpcMessageProblem(value) === undefined;
        expect(accepted, JSON.stringify(value)).toBe(JSONRPCMessageSchema.safeParse(value).success);
        seen[accepted ? 'valid' : 'invalid']++;
      }),
      { seed: 0x2e5c, numRuns: 5_000 },
    );
    // The comparison means something only if both outcomes were exercised many times.
    expect(seen.valid).toBeGreaterThan(500);
    expect(seen.invalid).toBeGreaterThan(500);
  });

  it.each<[string, unknown, boolean]>([
    ['a request', { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo' } }, true],
    ['a notification', { jsonrpc: '2.0', method: 'notifications/initialized' }, true],
    ['a result', { jsonrpc: '2.0', id: 'a', result: {} }, true],
    ['an error without id', { jsonrpc: '2.0', error: { code: -32600, message: 'bad' } }, true],
    ['a request with a fractional id', { jsonrpc: '2.0', id: 1.5, method: 'x' }, false],
    ['a request with an unsafe id', { jsonrpc: '2.0', id: 2 ** 53, method: 'x' }, false],
    ['a request with an extra member', { jsonrpc: '2.0', id: 1, method: 'x', extra: 1 }, false],
    ['an own __proto__ member', JSON.parse('{"jsonrpc":"2.0","method":"x","__proto__":{}}'), false],
    ['a result and an error', { jsonrpc: '2.0', id: 1, result: {}, error: { code: 1, message: 'm' } }, false],
    ['a result without id', { jsonrpc: '2.0', result: {} }, false],
    ['an array result', { jsonrpc: '2.0', id: 1, result: [] }, false],
    [
      'a null progress token',
      { jsonrpc: '2.0', id: 1, method: 'x', params: { _meta: { progressToken: null } } },
      false,
    ],
    ['JSON-RPC 1.0', { jsonrpc: '1.0', id: 1, method: 'x' }, false],
    ['a batch', [{ jsonrpc: '2.0', method: 'x' }], false],
  ])('%s: valid is %s', (_, value, valid) => {
    expect(rpcMessageProblem(value) === undefined).toBe(valid);
    expect(JSONRPCMessageSchema.safeParse(value).success).toBe(valid);
  });
});

describe('decodeRpc', () => {
  it('names what is wrong with a message it refuses', () => {
    const body = new TextEncoder().encode(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 7 }));
    expect(() => decodeRpc(body)).toThrow(/not a JSON-RPC 2.0 message \(method is not a string\)/);
  });

  it('refuses bytes that are not UTF-8', () => {
    expect(() => decodeRpc(new Uint8Array([0x22, 0xff, 0x22]))).toThrow(/not UTF-8 JSON/);
  });
});
