import { describe, expect, it } from 'vitest';
import { DEFAULT_RISK_THRESHOLDS, initialSessionContext } from '../../../../statecharts/session/index.js';
import { INPUT } from './support.js';

describe('session input', () => {
  it('fills documented defaults', () => {
    const context = initialSessionContext({ sessionId: 's', now: 0, expiresAt: 1 });
    expect(context.thresholds).toEqual(DEFAULT_RISK_THRESHOLDS);
    expect(context.timeouts).toEqual({ approvalMs: 120_000, reauthMs: 300_000, quietMs: 600_000 });
    expect(context.historyLimit).toBe(64);
  });

  it.each([
    [{ thresholds: { decay: 0.6 } }, /decay < scrutinise/],
    [{ thresholds: { suspend: 1.5 } }, /thresholds\.suspend must be a number in \[0, 1\]/],
    [{ timeouts: { approvalMs: 0 } }, /timeouts\.approvalMs must be a positive integer/],
    [{ expiresAt: INPUT.now }, /expiresAt must be after now/],
    [{ sessionId: '' }, /sessionId must be non-empty/],
  ])('rejects %o', (override, message) => {
    const attempt = () => initialSessionContext({ ...INPUT, ...override });
    expect(attempt).toThrow(message);
    expect(attempt).toThrow(expect.objectContaining({ code: 'ERR_STATECHART_INPUT' }));
  });
});
