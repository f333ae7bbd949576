import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Redactor } from '../../../../src/audit/index.js';
import { canonicalJson } from '../../../../src/canonical-json.js';

const redactor = new Redactor();
// Written apart so no tool mistakes the URL for an e-mail address.
const AT = '@';

// Real formats (documentation examples and revoked or synthetic values of the exact shape).
const SECRETS: ReadonlyArray<[string, string]> = [
  ['aws-access-key', 'AKIAIOSFODNN7EXAMPLE'],
  ['aws-access-key', 'ASIAY34FZKBOKMUTVV7A'],
  ['aws-secret-key', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'],
  ['github-token', 'ghp_16C7e42F292c6912E7710c838347Ae178B4a'],
  [
    'github-token',
    'github_pat_11ABCDEFG0123456789abcd_0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVW',
  ],
  ['slack-token', 'xoxb-2048-1234567890-aB3dE5gH7jK9mN1pQ3sT5vW7'],
  ['slack-token', 'xoxp-123456789012-123456789012-123456789012-0123456789abcdef0123456789abcdef'],
  ['stripe-key', 'sk_live_4eC39HqLyjWDarjtT1zdp7dc'],
  [
    'jwt',
    'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',
  ],
];

const PEM = `-----BEGIN OPENSSH PRIVATE KEY-----
b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW
QyNTUxOQAAACDx3p9qJjKf0cX2bZ8s4Xw3+Y8i9l5P0r1HkF3q2aQvWgAAAJi3S6bat0um
-----END OPENSSH PRIVATE KEY-----`;

describe('Redactor: secret formats', () => {
  it.each(SECRETS)('redacts a %s inside surrounding text', (rule, secret) => {
    const out = redactor.redact({ command: `deploy --credential-value ${secret} --region eu-west-1` });
    expect(out).toEqual({ command: `deploy --credential-value [REDACTED:${rule}] --region eu-west-1` });
  });

  it('redacts a private key block, and a truncated one to the end', () => {
    expect(redactor.redact(`key:\n${PEM}\nend`)).toBe('key:\n[REDACTED:private-key]\nend');
    expect(redactor.redact(`-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA`)).toBe(
      '[REDACTED:private-key]',
    );
  });

  it('keeps the scheme of a Bearer header and the user and host of a URL with a password', () => {
    expect(redactor.redact('Authorization: Bearer abcdef0123456789.xyz')).toBe(
      'Authorization: Bearer [REDACTED:bearer]',
    );
    expect(redactor.redact(`postgres://app:s3cr3tPass${AT}db.internal:5432/prod`)).toBe(
      'postgres://app:[REDACTED:url-password]@db.internal:5432/prod',
    );
  });

  it('redacts a random high-entropy token and leaves hex digests alone', () => {
    expect(redactor.redact('api=Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdoaWprbG1ub3A9Q')).toBe(
      'api=[REDACTED:entropy]',
    );
    const sha1 = '3f786850e387550fdab836ed7e6dc881de23001b';
    const sha256 = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';
    expect(redactor.redact({ commit: sha1, digest: sha256 })).toEqual({ commit: sha1, digest: sha256 });
  });
});

describe('Redactor: no false positives', () => {
  it.each([
    'src/components/UserProfile/AvatarUploader2.tsx',
    '/home/runner/work/trustmesh/trustmesh/node_modules/@modelcontextprotocol/sdk/dist/esm/index.js',
    'Fixes #12345 and closes PR 6789',
    'LGTM, ship it',
    'https://github.com/org/repo/pull/42#issuecomment-1234567890',
    'https://user@example.com/path',
    '550e8400-e29b-41d4-a716-446655440000',
    'the_quick_brown_fox_jumps_over_the_lazy_dog_again_and_again',
    'Bearer',
  ])('keeps %s', (text) => {
    expect(redactor.redact({ path: text })).toEqual({ path: text });
  });

  it('keeps numbers and booleans under ordinary keys', () => {
    expect(redactor.redact({ pull_number: 5, draft: false, owner: 'org' })).toEqual({
      pull_number: 5,
      draft: false,
      owner: 'org',
    });
  });
});

describe('Redactor: keys, keep and drop', () => {
  it('redacts configured keys whatever their case or separators, deep in objects and arrays', () => {
    const out = redactor.redact({
      headers: [{ Authorization: 'xyz' }, { 'X-Api-Key': 'k' }],
      db: { password: 'hunter2', DB_PASSWORD: 'p', user: 'app' },
      client_secret: { nested: 'value' },
    });
    expect(out).toEqual({
      headers: [{ Authorization: '[REDACTED:key]' }, { 'X-Api-Key': '[REDACTED:key]' }],
      db: { password: '[REDACTED:key]', DB_PASSWORD: '[REDACTED:key]', user: 'app' },
      client_secret: '[REDACTED:key]',
    });
  });

  it('adds keys from configuration, keeps listed keys and drops listed paths', () => {
    const configured = new Redactor({ keys: ['ssn'], keep: ['max_tokens'], drop: ['file.content'] });
    expect(
      configured.redact({
        customer_ssn: '078-05-1120',
        max_tokens: 4096,
        file: { path: 'a.txt', content: 'big body' },
        content: 'kept here',
      }),
    ).toEqual({
      customer_ssn: '[REDACTED:key]',
      max_tokens: 4096,
      file: { path: 'a.txt', content: '[REDACTED:drop]' },
      content: 'kept here',
    });
  });

  it('still redacts a known secret format under a kept key', () => {
    const configured = new Redactor({ keep: ['note'] });
    expect(configured.redact({ note: 'AKIAIOSFODNN7EXAMPLE' })).toEqual({
      note: '[REDACTED:aws-access-key]',
    });
  });

  it('rejects a key both kept and dropped', () => {
    expect(() => new Redactor({ keep: ['a'], drop: ['A'] })).toThrow(
      expect.objectContaining({ code: 'ERR_AUDIT_OPTIONS' }),
    );
  });
});

describe('Redactor: bounds and hostile input', () => {
  it('truncates long strings, long arrays, many keys and deep nesting with markers', () => {
    const small = new Redactor({ maxStringLength: 10, maxItems: 2, maxDepth: 2 });
    expect(small.redact({ s: 'abcdefghijklmnop', a: [1, 2, 3, 4], d: { e: { f: 1 } } })).toEqual({
      s: 'abcdefghij[TRUNCATED:6 more chars]',
      a: [1, 2, '[TRUNCATED:2 more items]'],
      '…': '[TRUNCATED:1 more keys]',
    });
    expect(small.redact({ d: { e: { f: 1 } } })).toEqual({ d: { e: '[TRUNCATED:depth]' } });
  });

  it('bounds the total size of what it writes', () => {
    const out = new Redactor({ maxNodes: 10 }).redact(Array.from({ length: 50 }, (_, i) => i));
    expect(JSON.stringify(out)).toContain('[TRUNCATED:size]');
  });

  it('turns cycles, binary, dates, bigints and functions into JSON', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(
      redactor.redact({
        cyclic,
        bytes: new Uint8Array(3),
        at: new Date(0),
        big: 10n,
        fn: () => 1,
        nan: Number.NaN,
      }),
    ).toEqual({
      cyclic: { a: 1, self: '[TRUNCATED:cycle]' },
      bytes: '[BINARY:3 bytes]',
      at: '1970-01-01T00:00:00.000Z',
      big: '10',
      fn: null,
      nan: 'NaN',
    });
  });

  it('never throws, even on getters that throw, and its output is always canonical JSON', () => {
    const hostile = Object.defineProperty({}, 'boom', {
      enumerable: true,
      get() {
        throw new Error('no');
      },
    });
    expect(redactor.redact(hostile)).toBe('[REDACTED:error]');
    fc.assert(
      fc.property(
        fc.anything({ withBigInt: true, withDate: true, withTypedArray: true, withMap: true }),
        (value) => {
          expect(() => canonicalJson(redactor.redact(value))).not.toThrow();
        },
      ),
      { numRuns: 300 },
    );
  });
});
