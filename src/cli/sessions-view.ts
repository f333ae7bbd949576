import type { ApprovalRecord, SessionInspection, SessionSummary } from '../actors/control/index.js';
import { formatDuration } from './duration.js';
import { formatInstant, renderTable } from './table.js';

/** One row of `sessions list`: the node's summary plus when the session was registered, if known. */
export interface SessionRow extends SessionSummary {
  readonly createdAt: number | null;
}

/** `in 5m` for the future, `3m ago` for the past. */
export function relative(at: number, now: number): string {
  return at >= now ? `in ${formatDuration(at - now)}` : `${formatDuration(now - at)} ago`;
}

export function sessionTable(rows: readonly SessionRow[], now: number): string {
  if (rows.length === 0) {
    return "No live sessions. Create one with 'trustmesh session create --purpose P --user U'.";
  }
  return renderTable(
    ['SID', 'PRINCIPAL', 'PURPOSE', 'STATE', 'AGE', 'EXPIRES'],
    rows.map((s) => [
      s.sid,
      s.principal,
      s.purpose,
      s.state,
      s.createdAt === null ? '-' : formatDuration(now - s.createdAt),
      relative(s.expiresAt, now),
    ]),
  );
}

export function approvalLines(approval: ApprovalRecord, now: number): string[] {
  return [
    `call ${approval.callId}: ${approval.tool} ${approval.preview}`,
    `  why: ${approval.reason}`,
    `  deadline ${formatInstant(approval.deadline)} (${relative(approval.deadline, now)}; then it is denied)`,
  ];
}

/** The score, the level it reaches, the features behind it and the reasons, largest first. */
export function riskLines(risk: SessionInspection['risk']): string[] {
  const features = Object.entries(risk.features)
    .filter(([, level]) => level > 0)
    .sort(([, a], [, b]) => b - a)
    .map(([name, level]) => `${name} ${level.toFixed(2)}`);
  return [
    `score ${risk.score.toFixed(2)} (reaches ${risk.level === 'none' ? 'no containment' : risk.level}); baselines ${risk.baselineVersion ?? 'cold-start defaults'}`,
    `features: ${features.length > 0 ? features.join(', ') : 'all calm'}`,
    ...risk.reasons.map((reason) => `  - ${reason}`),
  ];
}

/** What `sessions inspect` prints: facts, the state timeline, risk, usage and any held call. */
export function inspectionText(s: SessionInspection, now: number): string {
  const facts = renderTable(
    ['session', s.sid],
    [
      ['principal', s.principal],
      ['purpose', s.purpose],
      ['state', s.state],
      ['created', `${formatInstant(s.createdAt)} (${relative(s.createdAt, now)})`],
      ['expires', `${formatInstant(s.expiresAt)} (${relative(s.expiresAt, now)})`],
      ['policy', s.policyVersion],
    ],
  );
  const timeline = renderTable(
    ['FROM → TO', 'EVENT', 'REASON', 'AT'],
    s.transitions.map((t) => [`${t.from ?? '(start)'} → ${t.to}`, t.event, t.reason, formatInstant(t.at)]),
  );
  const usage = renderTable(
    ['TOOL', 'CALLS', 'SUCCEEDED', 'BYTES IN', 'BYTES OUT'],
    [
      ...Object.entries(s.counters.tools).map(([tool, u]) => [
        tool,
        String(u.calls),
        String(s.succeeded[tool] ?? 0),
        String(u.bytesIn),
        String(u.bytesOut),
      ]),
      [
        '(session)',
        String(s.counters.session.calls),
        String(Object.values(s.succeeded).reduce((sum, n) => sum + n, 0)),
        String(s.counters.session.bytesIn),
        String(s.counters.session.bytesOut),
      ],
    ],
  );
  const pending = s.pendingApproval
    ? [
        ...approvalLines(s.pendingApproval, now),
        `  answer it with 'trustmesh approvals approve ${s.pendingApproval.callId}' or 'trustmesh approvals deny ${s.pendingApproval.callId} --reason R'`,
      ]
    : ['none'];
  return [
    facts,
    '',
    'History',
    timeline,
    '',
    'Risk',
    ...riskLines(s.risk),
    '',
    'Usage',
    usage,
    '',
    'Pending approval',
    ...pending,
  ].join('\n');
}
