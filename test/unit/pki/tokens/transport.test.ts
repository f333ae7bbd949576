import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import {
  attachSessionToken,
  SESSION_TOKEN_META_KEY,
  takeSessionToken,
  withSessionToken,
} from '../../../../src/pki/tokens/index.js';

const call: JSONRPCMessage = {
  jsonrpc: '2.0',
  id: 7,
  method: 'tools/call',
  params: { name: 'fs.read', arguments: { path: 'a' }, _meta: { progressToken: 3 } },
};

describe('session token in params._meta', () => {
  it('rides on requests only, beside the _meta already there, without changing the original', () => {
    const sent = attachSessionToken(call, 'tok') as { params: { _meta: Record<string, unknown> } };
    expect(sent.params._meta).toEqual({ progressToken: 3, [SESSION_TOKEN_META_KEY]: 'tok' });
    expect((call as { params: { _meta: object } }).params._meta).toEqual({ progressToken: 3 });
    const note: JSONRPCMessage = { jsonrpc: '2.0', method: 'notifications/cancelled', params: {} };
    expect(attachSessionToken(note, 'tok')).toBe(note);
  });

  it('is taken off before anything is forwarded, dropping a _meta it leaves empty', () => {
    const bare: JSONRPCMessage = { jsonrpc: '2.0', id: 1, method: 'tools/list' };
    const taken = takeSessionToken(attachSessionToken(bare, 'tok'));
    expect(taken).toEqual({ token: 'tok', message: { ...bare, params: {} } });
    const kept = takeSessionToken(attachSessionToken(call, 'tok'));
    expect(kept).toEqual({ token: 'tok', message: call });
    expect(takeSessionToken(call)).toEqual({ token: undefined, message: call });
  });

  it('treats a token that is not a string as missing, and still strips it', () => {
    const odd = { ...call, params: { _meta: { [SESSION_TOKEN_META_KEY]: 42 } } } as JSONRPCMessage;
    expect(takeSessionToken(odd)).toEqual({ token: undefined, message: { ...call, params: {} } });
  });

  it('withSessionToken adds the token to every request the wrapped transport sends', async () => {
    const [agent, mesh] = InMemoryTransport.createLinkedPair();
    const received: JSONRPCMessage[] = [];
    mesh.onmessage = (message) => received.push(message);
    const wrapped = withSessionToken(agent, 'tok');
    await mesh.start();
    await wrapped.start();
    await wrapped.send(call);
    await wrapped.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    expect(takeSessionToken(received[0]!).token).toBe('tok');
    expect(received[1]).toEqual({ jsonrpc: '2.0', method: 'notifications/initialized' });
    expect(() => withSessionToken(agent, '')).toThrow(/session token/);
  });
});
