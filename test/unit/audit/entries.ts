import type { AuditEntry } from '../../../src/audit/index.js';

/** A decided call as the session actor would record it. */
export function entry(session: string, n: number, overrides: Partial<AuditEntry> = {}): AuditEntry {
  return {
    time: new Date(Date.UTC(2025, 0, 6, 9, 0, n)).toISOString(),
    session,
    call: `${session}-call-${n}`,
    principal: `alice${'@'}example.com`,
    purpose: 'code-review',
    tool: 'filesystem.read_file',
    arguments: { path: `src/file-${n}.ts` },
    decision: 'allow',
    reason: 'granted by filesystem.read_file',
    rule: 'code-review/filesystem.read_file',
    policyVersion: 'v7',
    state: 'active',
    bytesIn: 42,
    bytesOut: 0,
    latencyMs: 0,
    outcome: 'unknown',
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    ...overrides,
  };
}
