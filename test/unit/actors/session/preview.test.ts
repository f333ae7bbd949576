import { describe, expect, it } from 'vitest';
import { controlSubjects } from '../../../../src/actors/control/index.js';
import { argumentPreview, MAX_PREVIEW_CHARS } from '../../../../src/actors/session/index.js';

describe('argumentPreview', () => {
  it('redacts values under sensitive keys at any depth and keeps the rest', () => {
    const preview = argumentPreview({
      path: 'src/a.ts',
      auth: { token: 'abc' },
      nested: { apiKey: 'k', n: 1 },
    });
    expect(JSON.parse(preview)).toEqual({
      path: 'src/a.ts',
      auth: '[redacted]',
      nested: { apiKey: '[redacted]', n: 1 },
    });
  });

  it('cuts long strings and bounds the whole preview', () => {
    const preview = argumentPreview({
      body: 'x'.repeat(10_000),
      list: Array.from({ length: 500 }, (_, i) => `item-${i}`),
    });
    expect(preview.length).toBeLessThanOrEqual(MAX_PREVIEW_CHARS + 1);
    expect(preview).not.toContain('x'.repeat(201));
  });
});

describe('controlSubjects', () => {
  const subjects = controlSubjects('tm');

  it('keeps control and approvals outside the session namespace', () => {
    for (const subject of [
      subjects.nodeSessions,
      subjects.approvalsRequested,
      subjects.session('abc', 'kill'),
    ]) {
      expect(subject.startsWith('tm.s.')).toBe(false);
    }
  });

  it('parses exactly <prefix>.ctl.session.<sid>.<verb>', () => {
    expect(subjects.parseSession('tm.ctl.session.abc.inspect')).toEqual({ sid: 'abc', verb: 'inspect' });
    expect(subjects.parseSession('tm.ctl.session.abc.inspect.more')).toBeUndefined();
    expect(subjects.parseSession('tm.ctl.node.sessions')).toBeUndefined();
  });

  it('refuses a session id that could widen the subject', () => {
    expect(() => subjects.session('a.>', 'kill')).toThrow(/safe NATS subject token/);
  });
});
