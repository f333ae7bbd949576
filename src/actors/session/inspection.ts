import type { TransitionRecord } from '../../../statecharts/index.js';
import type { Usage as PolicyUsage } from '../../policy/index.js';
import type {
  ApprovalRecord,
  SessionDescriptor,
  SessionInspection,
  SessionSummary,
} from '../control/index.js';
import type { Usage } from './call-path.js';

export interface InspectionSources {
  readonly descriptor: SessionDescriptor;
  readonly policyVersion: string;
  readonly transitions: readonly TransitionRecord[];
  readonly usage: Usage;
  readonly pendingApproval: ApprovalRecord | null;
}

const totals = ({ calls, bytesIn, bytesOut }: PolicyUsage) => ({ calls, bytesIn, bytesOut });

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
  };
}
