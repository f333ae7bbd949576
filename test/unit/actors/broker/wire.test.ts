import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { BrokerError, callTarget, encodeBrokerRequest } from '../../../../src/actors/broker/index.js';
import { decodeBrokerRequest } from '../../../../src/actors/broker/wire.js';
import { CapabilityMethod } from '../../../../src/actors/capability/index.js';

const packr = new Packr({ useRecords: false });

function onlyBrokerErrors(bytes: Uint8Array): void {
  try {
    const request = decodeBrokerRequest(bytes);
    callTarget('fs', request);
  } catch (err) {
    if (!(err instanceof BrokerError)) throw err;
  }
}

describe('broker requests', () => {
  it('round-trip and resolve their target under the server prefix', () => {
    const bytes = encodeBrokerRequest({
      capability: new Uint8Array([1, 2]),
      method: CapabilityMethod.ToolsCall,
      params: { name: 'fs.read_text_file', arguments: { path: '/a' } },
    });
    const request = decodeBrokerRequest(bytes);
    expect(callTarget('fs', request)).toEqual({
      method: 'tools/call',
      tool: 'read_text_file',
      args: { path: '/a' },
      upstreamParams: { name: 'read_text_file', arguments: { path: '/a' } },
    });
  });

  it("never resolve another server's tool, however the name is spelled", () => {
    for (const name of ['github.merge', 'fs', 'fs.', 'fsx.read', '.fs.read', 'read']) {
      expect(() => callTarget('fs', { method: CapabilityMethod.ToolsCall, params: { name } })).toThrow(
        expect.objectContaining({ code: 'ERR_BROKER_UNKNOWN_TOOL' }),
      );
    }
  });

  it('bind a resource read to its URI', () => {
    expect(
      callTarget('fs', { method: CapabilityMethod.ResourcesRead, params: { uri: 'file:///a' } }),
    ).toMatchObject({ tool: 'file:///a', args: {}, upstreamParams: { uri: 'file:///a' } });
  });

  it('throw nothing but BrokerError on random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 2_000 }), onlyBrokerErrors), { numRuns: 2_000 });
  });

  it('throw nothing but BrokerError on MessagePack of any shape', () => {
    const request = fc.record({
      capability: fc.oneof(fc.uint8Array(), fc.anything()),
      method: fc.oneof(fc.constantFrom(...Object.values(CapabilityMethod)), fc.string()),
      params: fc.oneof(fc.object(), fc.anything()),
    });
    fc.assert(
      fc.property(fc.oneof(request, fc.anything()), (value) => onlyBrokerErrors(packr.pack(value))),
      { numRuns: 1_000 },
    );
  });
});
