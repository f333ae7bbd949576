import { describe, expect, it } from 'vitest';
import {
  activatedSession,
  activationWildcard,
  assertPrefix,
  assertSessionId,
  InvalidSubjectTokenError,
  MAX_PREFIX_LENGTH,
  MAX_SESSION_ID_LENGTH,
  newSessionId,
  sessionConnectOptions,
  sessionSubjects,
} from '../../../src/transport/index.js';

const UNSAFE = [
  ['empty', ''],
  ['a dot', 'a.b'],
  ['a star', 'a*'],
  ['a full wildcard', '>'],
  ['a space', 'a b'],
  ['a tab', 'a\tb'],
  ['a newline', 'a\nb'],
  ['a NUL', 'a\0b'],
  ['a DEL', 'a\x7fb'],
  ['a slash', 'a/b'],
  ['non-ASCII', 'sessión'],
  ['a dollar', '$SYS'],
] as const;

describe('newSessionId', () => {
  it("is 's' and 128 random bits in 22 base64url characters, a valid session id never read as a flag", () => {
    const ids = new Set(Array.from({ length: 1000 }, newSessionId));
    expect(ids.size).toBe(1000);
    for (const id of ids) {
      expect(id).toMatch(/^s[A-Za-z0-9_-]{22}$/);
      expect(Buffer.from(id.slice(1), 'base64url')).toHaveLength(16);
      expect(() => assertSessionId(id)).not.toThrow();
    }
  });
});

describe.each([
  ['assertSessionId', assertSessionId, MAX_SESSION_ID_LENGTH],
  ['assertPrefix', assertPrefix, MAX_PREFIX_LENGTH],
] as const)('%s', (_, assert, max) => {
  it.each(UNSAFE)('rejects %s', (_what, value) => {
    expect(() => assert(value)).toThrow(InvalidSubjectTokenError);
    expect(() => assert(value)).toThrow(
      expect.objectContaining({ code: 'ERR_TRANSPORT_INVALID_SUBJECT_TOKEN' }),
    );
  });

  it('rejects a non-string', () => {
    expect(() => assert(42 as unknown as string)).toThrow(InvalidSubjectTokenError);
  });

  it('accepts the longest allowed token and rejects one character more', () => {
    expect(() => assert('a'.repeat(max))).not.toThrow();
    expect(() => assert('a'.repeat(max + 1))).toThrow(/limit is/);
  });

  it.each(['tm', 'TM_prod-2', 'x'])('accepts %s', (value) => {
    expect(() => assert(value)).not.toThrow();
  });
});

describe('sessionSubjects', () => {
  it('names every subject of the session under one root', () => {
    expect(sessionSubjects('tm', 'abc')).toEqual({
      root: 'tm.s.abc',
      c2s: 'tm.s.abc.c2s',
      s2c: 'tm.s.abc.s2c',
      hello: 'tm.s.abc.hello',
      activate: 'tm.s.abc.activate',
      inboxPrefix: '_INBOX_abc',
    });
  });

  it('reads the session of an activation subject and nothing else', () => {
    expect(activationWildcard('tm')).toBe('tm.s.*.activate');
    expect(activatedSession('tm', 'tm.s.abc.activate')).toBe('abc');
    expect(activatedSession('tm', 'tm.s.abc.hello')).toBeUndefined();
    expect(activatedSession('tm', 'acme.s.abc.activate')).toBeUndefined();
    expect(activatedSession('tm', 'tm.s.abc.activate.x')).toBeUndefined();
  });

  it('honours the prefix and validates both tokens', () => {
    expect(sessionSubjects('acme', 'abc').c2s).toBe('acme.s.abc.c2s');
    expect(() => sessionSubjects('tm', 'abc.>')).toThrow(InvalidSubjectTokenError);
    expect(() => sessionSubjects('t*', 'abc')).toThrow(InvalidSubjectTokenError);
  });

  it('gives the connect options whose inbox matches the session', () => {
    expect(sessionConnectOptions('tm', 'abc')).toEqual({ inboxPrefix: '_INBOX_abc' });
  });
});
