import { describe, expect, it } from 'vitest';
import { renderNatsClusterBlock, renderNatsTlsBlock } from '../../../../src/pki/tls/index.js';

const files = { certFile: '/pki/server "1".crt', keyFile: '/pki/server.key', caFile: '/pki/root.crt' };

describe('nats-server TLS config', () => {
  it('renders a verifying client TLS block with quoted paths', () => {
    expect(renderNatsTlsBlock(files)).toBe(
      [
        'tls {',
        '  cert_file: "/pki/server \\"1\\".crt"',
        '  key_file: "/pki/server.key"',
        '  ca_file: "/pki/root.crt"',
        '  verify: true',
        '  timeout: 2',
        '}',
      ].join('\n'),
    );
    expect(renderNatsTlsBlock({ ...files, verify: false, timeoutSeconds: 5 })).toContain(
      'verify: false\n  timeout: 5',
    );
  });

  it('renders the whole cluster block with route TLS inside it', () => {
    const block = renderNatsClusterBlock({
      name: 'mesh',
      listen: '0.0.0.0:6222',
      routes: ['nats-route://n2:6222'],
      tls: files,
    });
    expect(block).toMatch(
      /^cluster \{\n {2}name: "mesh"\n {2}listen: "0.0.0.0:6222"\n {2}routes: \["nats-route:\/\/n2:6222"\]\n {2}tls \{/,
    );
    expect(block).toContain('    verify: true');
    expect(block.endsWith('  }\n}')).toBe(true);
  });

  it('refuses a missing file or a non-positive timeout', () => {
    expect(() => renderNatsTlsBlock({ ...files, keyFile: '' })).toThrow(/keyFile is required/);
    expect(() => renderNatsTlsBlock({ ...files, timeoutSeconds: 0 })).toThrow(/positive number of seconds/);
  });
});
