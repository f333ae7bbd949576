import { describe, expect, it } from 'vitest';
import { riskLines } from '../../../src/cli/sessions-view.js';

describe('sessions inspect: the risk section', () => {
  it('names the score, the level it reaches, the features that are up and the reasons', () => {
    const lines = riskLines({
      score: 0.97,
      level: 'suspended',
      reasons: [
        'taint: web.post carries 1 token(s) of data from a sensitive read',
        'rule credential-access: …',
      ],
      features: { rate: 0, sequence: 0.2, drift: 0, taint: 1, duration: 0, denials: 0, authFailures: 0 },
      baselineVersion: 'b-0123456789abcdef',
    });
    expect(lines[0]).toBe('score 0.97 (reaches suspended); baselines b-0123456789abcdef');
    expect(lines[1]).toBe('features: taint 1.00, sequence 0.20');
    expect(lines.slice(2)).toEqual([
      '  - taint: web.post carries 1 token(s) of data from a sensitive read',
      '  - rule credential-access: …',
    ]);
  });

  it('says so when nothing is up and no baselines were learned', () => {
    const lines = riskLines({
      score: 0,
      level: 'none',
      reasons: [],
      features: { rate: 0 },
      baselineVersion: null,
    });
    expect(lines).toEqual([
      'score 0.00 (reaches no containment); baselines cold-start defaults',
      'features: all calm',
    ]);
  });
});
