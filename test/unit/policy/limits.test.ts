import { describe, expect, it } from 'vitest';
import {
  type CallHistory,
  decide,
  EMPTY_COUNTERS,
  EMPTY_HISTORY,
  lexicalResolver,
  parsePolicy,
  ReasonCode,
  rateWindowDepth,
  recordCall,
  type SessionCounters,
  Verdict,
} from '../../../src/policy/index.js';
import { fixture, input, manualClock } from './helpers.js';

const bundle = parsePolicy([fixture('limits.yaml')]);
const call = (tool: string, bytesIn = 0) => ({ method: 'tools/call', server: 'svc', tool, bytesIn });

/** A session that replays calls through recordCall, exactly as the session actor would. */
function session(purpose: string, start: number) {
  const clock = manualClock(start);
  let history: CallHistory = EMPTY_HISTORY;
  let counters: SessionCounters = EMPTY_COUNTERS;
  return {
    clock,
    decide: (tool: string, bytesIn = 0) =>
      decide(
        bundle,
        input(call(tool, bytesIn), { purpose, history, counters, sessionStartedAt: start }),
        clock,
        lexicalResolver,
      ),
    record: (tool: string, bytesIn = 0, bytesOut = 0) => {
      ({ history, counters } = recordCall(
        history,
        counters,
        { key: `svc.${tool}`, bytesIn },
        { ok: true, bytesOut },
        clock,
      ));
    },
  };
}

describe('rate limits (sliding minute: a call at t counts while now - t < 60 s)', () => {
  it('allows the N-th call of a tool in a minute and denies the N+1-th until the first leaves the window', () => {
    const s = session('limited', 10_000);
    s.record('ping');
    expect(s.decide('ping').verdict).toBe(Verdict.Allow);
    s.record('ping');
    expect(s.decide('ping')).toMatchObject({ reason: ReasonCode.DenyRateTool, rule: 'limits.yaml:16' });
    s.clock.advance(59_999);
    expect(s.decide('ping').reason).toBe(ReasonCode.DenyRateTool);
    s.clock.advance(1);
    expect(s.decide('ping').verdict).toBe(Verdict.Allow);
  });

  it('counts every tool against the session limit', () => {
    const s = session('limited', 10_000);
    s.record('ping');
    s.record('fetch');
    expect(s.decide('fetch').verdict).toBe(Verdict.Allow);
    s.record('fetch');
    expect(s.decide('fetch')).toMatchObject({ reason: ReasonCode.DenyRateSession, rule: 'limits.yaml:10' });
  });
});

describe('cumulative bytes', () => {
  it('allows bytesIn up to exactly the limit, including the call at hand', () => {
    const s = session('limited', 0);
    s.record('ping', 30);
    expect(s.decide('ping', 20).verdict).toBe(Verdict.Allow);
    expect(s.decide('ping', 21).reason).toBe(ReasonCode.DenyBytesTool);
    s.clock.advance(120_000);
    s.record('fetch', 69);
    expect(s.decide('fetch', 1).verdict).toBe(Verdict.Allow);
    expect(s.decide('fetch', 2)).toMatchObject({
      reason: ReasonCode.DenyBytesSession,
      rule: 'limits.yaml:11',
    });
  });

  it('denies once bytesOut has reached the limit (a response is only measured after the call)', () => {
    const s = session('limited', 0);
    s.record('ping', 0, 499);
    expect(s.decide('ping').verdict).toBe(Verdict.Allow);
    s.clock.advance(120_000);
    s.record('ping', 0, 1);
    expect(s.decide('ping')).toMatchObject({ reason: ReasonCode.DenyBytesTool, rule: 'limits.yaml:16' });
    expect(s.decide('fetch').verdict).toBe(Verdict.Allow);
  });

  it('keeps rate windows bounded to the last minute', () => {
    const s = session('limited', 0);
    for (let i = 0; i < 5; i++) {
      s.record('fetch');
      s.clock.advance(30_000);
    }
    const { counters } = recordCall(
      EMPTY_HISTORY,
      EMPTY_COUNTERS,
      { key: 'svc.fetch' },
      { ok: true },
      s.clock,
    );
    expect(counters.session.recent).toHaveLength(1);
  });
});

describe('rate window depth (only the newest callsPerMinute timestamps can change a decision)', () => {
  it('is the largest callsPerMinute of the bundle', () => {
    expect(rateWindowDepth(bundle)).toBe(3);
  });

  it('keeps only that many timestamps and still denies the N+1-th call', () => {
    const clock = manualClock(0);
    let counters: SessionCounters = EMPTY_COUNTERS;
    for (let i = 0; i < 10; i++) {
      clock.advance(1);
      ({ counters } = recordCall(
        EMPTY_HISTORY,
        counters,
        { key: 'svc.ping', keepRecent: 2 },
        { ok: true },
        clock,
      ));
    }
    expect(counters.tools['svc.ping']?.recent).toEqual([9, 10]);
    expect(counters.session.calls).toBe(10);
    const limited = decide(
      bundle,
      input(call('ping'), { purpose: 'limited', history: EMPTY_HISTORY, counters, sessionStartedAt: 0 }),
      clock,
      lexicalResolver,
    );
    expect(limited.reason).toBe(ReasonCode.DenyRateTool);
  });

  it('keeps none when no limit counts calls', () => {
    const { counters } = recordCall(
      EMPTY_HISTORY,
      EMPTY_COUNTERS,
      { key: 'svc.ping', keepRecent: 0 },
      { ok: true },
      manualClock(5),
    );
    expect(counters.session.recent).toEqual([]);
    expect(counters.session.calls).toBe(1);
  });
});

describe('time windows in an IANA zone (from inclusive, to exclusive, local time)', () => {
  const at = (iso: string, purpose = 'office-hours') => {
    const s = session(purpose, Date.parse(iso) - 1000);
    s.clock.set(Date.parse(iso));
    return s.decide('ping');
  };

  it('opens at 09:00 and closes at 17:30 Berlin time, in winter and in summer', () => {
    expect(at('2024-01-08T07:59:59Z').reason).toBe(ReasonCode.DenyTimeWindow);
    expect(at('2024-01-08T08:00:00Z').verdict).toBe(Verdict.Allow);
    expect(at('2024-01-08T16:29:59Z').verdict).toBe(Verdict.Allow);
    expect(at('2024-01-08T16:30:00Z')).toMatchObject({
      reason: ReasonCode.DenyTimeWindow,
      rule: 'limits.yaml:20',
    });
    expect(at('2024-04-01T06:59:00Z').reason).toBe(ReasonCode.DenyTimeWindow);
    expect(at('2024-04-01T07:00:00Z').verdict).toBe(Verdict.Allow);
  });

  it('is closed on the weekend', () => {
    expect(at('2024-01-06T10:00:00Z').reason).toBe(ReasonCode.DenyTimeWindow);
  });

  it('uses the local day where UTC is still on the previous one', () => {
    expect(at('2024-01-07T23:30:00Z', 'monday-night').verdict).toBe(Verdict.Allow);
    expect(at('2024-01-08T23:30:00Z', 'monday-night')).toMatchObject({
      reason: ReasonCode.DenyTimeWindow,
      rule: 'limits.yaml:31',
    });
  });
});
