import type { RiskThresholds, TransitionRecord } from '../../../statecharts/index.js';
import type { Usage as PolicyUsage } from '../../policy/index.js';
import type {
  ApprovalRecord,
  RiskView,
  SessionDescriptor,
  SessionInspection,
  SessionSummary,
} from '../control/index.js';
import type { SessionMonitor } from '../monitor/index.js';
import type { Usage } from './call-path.js';

/** How many reasons `inspect` names: the ones that drove the score. */
const TOP_REASONS = 5;

export interface InspectionSources {
  readonly descriptor: SessionDescriptor;
  readonly policyVersion: string;
  readonly transitions: readonly TransitionRecord[];
  readonly usage: Usage;
  readonly pendingApproval: ApprovalRecord | null;
  readonly monitor: SessionMonitor;
  readonly thresholds: RiskThresholds;
  readonly baselineVersion: string | undefined;
}

const totals = ({ calls, bytesIn, bytesOut }: PolicyUsage) => ({ calls, bytesIn, bytesOut });

function riskLevel(score: number, thresholds: RiskThresholds): RiskView['level'] {
  if (score >= thresholds.suspend) return 'suspended';
  if (score >= thresholds.readOnly) return 'readOnly';
  if (score >= thresholds.scrutinise) return 'scrutinised';
  return 'none';
}

/** The monitor's latest assessment, the level it reaches alone, and the features behind it. */
export function riskView(sources: InspectionSources): RiskView {
  const { assessment, features } = sources.monitor.inspect();
  const hard = assessment.signals.map((s) => `signal ${s.kind}: ${s.detail}`);
  return {
    score: assessment.score,
    level: hard.length > 0 ? 'suspended' : riskLevel(assessment.score, sources.thresholds),
    reasons: [...hard, ...assessment.reasons].slice(0, TOP_REASONS),
    features,
    baselineVersion: sources.baselineVersion ?? null,
  };
}

/** What `inspect` shows an operator: plain JSON, without the rate-window timestamps. */
export function inspection(summary: SessionSummary, sources: InspectionSources): SessionInspection {
  const { counters, history } = sources.usage;
  return {
    ...summary,
    createdAt: sources.descriptor.createdAt,
    policyVersion: sources.policyVersion,
    transitions: sources.transitions,
    counters: {
      session: totals(counters.session),
      tools: Object.fromEntries(Object.entries(counters.tools).map(([key, usage]) => [key, totals(usage)])),
    },
    succeeded: Object.fromEntries(Object.entries(history).map(([key, done]) => [key, done.succeeded])),
    pendingApproval: sources.pendingApproval,
    risk: riskView(sources),
  };
}
