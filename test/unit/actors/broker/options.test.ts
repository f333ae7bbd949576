import type { NatsConnection } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import {
  type BrokerOptions,
  DEFAULT_MAX_RESPONSE_BYTES,
  FilePinStore,
  parseBrokerOptions,
} from '../../../../src/actors/broker/index.js';
import { createTestPki } from '../../../support/mesh-pki.js';

const PKI = await createTestPki();
// parseBrokerOptions never touches the connection; an empty object stands in for it.
const base: BrokerOptions = {
  connection: {} as NatsConnection,
  server: 'fs',
  upstream: { kind: 'stdio', command: '/usr/bin/node', args: ['server.js'] },
  identity: await PKI.identity('broker', 'fs'),
  trust: PKI.trust(),
  pinStore: new FilePinStore('/nonexistent'),
  allowedCommands: ['node'],
};

const codeOf = (options: BrokerOptions) => {
  try {
    parseBrokerOptions(options);
    return 'ok';
  } catch (err) {
    return (err as { code: string }).code;
  }
};

describe('parseBrokerOptions', () => {
  it('fills the documented defaults', () => {
    expect(parseBrokerOptions(base)).toMatchObject({
      prefix: 'tm',
      maxResponseBytes: DEFAULT_MAX_RESPONSE_BYTES,
      callTimeoutMs: 60_000,
      connectTimeoutMs: 30_000,
      pinOnFirstUse: true,
      nonceCacheEntries: 100_000,
    });
  });

  it('allows a stdio command only by an allowlisted basename, and none by default', () => {
    expect(codeOf({ ...base, allowedCommands: undefined })).toBe('ERR_BROKER_COMMAND_NOT_ALLOWED');
    expect(codeOf({ ...base, upstream: { kind: 'stdio', command: 'bash', args: ['-c', 'x'] } })).toBe(
      'ERR_BROKER_COMMAND_NOT_ALLOWED',
    );
    expect(codeOf({ ...base, upstream: { kind: 'stdio', command: '' } })).toBe(
      'ERR_BROKER_COMMAND_NOT_ALLOWED',
    );
  });

  it('accepts only http(s) URLs for Streamable HTTP', () => {
    expect(codeOf({ ...base, upstream: { kind: 'http', url: 'https://tools.example/mcp' } })).toBe('ok');
    expect(codeOf({ ...base, upstream: { kind: 'http', url: 'file:///etc/passwd' } })).toBe(
      'ERR_BROKER_OPTIONS',
    );
    expect(codeOf({ ...base, upstream: { kind: 'http', url: 'not a url' } })).toBe('ERR_BROKER_OPTIONS');
  });

  it("refuses another server's or a node's certificate, bad limits and unsafe names", async () => {
    expect(codeOf({ ...base, identity: await PKI.identity('broker', 'github') })).toBe('ERR_BROKER_OPTIONS');
    expect(codeOf({ ...base, identity: await PKI.identity('node', 'fs') })).toBe('ERR_BROKER_OPTIONS');
    expect(codeOf({ ...base, maxResponseBytes: 0 })).toBe('ERR_BROKER_OPTIONS');
    expect(codeOf({ ...base, callTimeoutMs: 1.5 })).toBe('ERR_BROKER_OPTIONS');
    expect(codeOf({ ...base, server: 'fs.read' })).toBe('ERR_BROKER_INVALID_SERVER_NAME');
    expect(codeOf({ ...base, prefix: 'tm.x' })).toBe('ERR_TRANSPORT_INVALID_SUBJECT_TOKEN');
  });
});
