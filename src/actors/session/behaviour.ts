import type { Clock } from '../../clock.js';
import { TokenErrorCode } from '../../pki/tokens/index.js';
import type { Verdict } from '../../policy/index.js';
import type { SessionDescriptor } from '../control/index.js';
import {
  type BehaviourModel,
  type MonitorAssessment,
  type MonitorSnapshot,
  parseMonitorSnapshot,
  type SessionMonitor,
} from '../monitor/index.js';

/** What the monitor learns about a call once it was decided (and run, if allowed). */
export interface ObservedCall {
  readonly callId: string;
  readonly verdict: Verdict;
  readonly bytesIn: number;
  readonly bytesOut: number;
  /** The MCP result the agent gets, for taint and for what counts as known. */
  readonly result?: Record<string, unknown>;
}

/**
 * Token refusals that say someone forges a token or holds one without its key: the burst rule and the
 * auth-failure feature count these. Expired or not-yet-valid tokens are a clock matter, and revoked ones
 * are mostly the mesh's own containment (suspend revokes every token the agent still holds).
 */
const AUTH_FAILURES: ReadonlySet<string> = new Set([
  TokenErrorCode.Signature,
  TokenErrorCode.WrongKey,
  TokenErrorCode.WrongSession,
  TokenErrorCode.Alg,
  TokenErrorCode.Issuer,
  TokenErrorCode.Audience,
  TokenErrorCode.Malformed,
]);

export function isAuthFailure(code: string): boolean {
  return AUTH_FAILURES.has(code);
}

/** The text an MCP result carries (text content, embedded resource text), as the agent will read it. */
export function resultText(result: Record<string, unknown> | undefined): string | undefined {
  const items = [
    ...asArray(result?.content),
    ...asArray(result?.contents),
    ...asArray(result?.messages).map((m) => (m as { content?: unknown }).content),
  ];
  const parts: string[] = [];
  for (const item of items) {
    if (item === null || typeof item !== 'object') continue;
    const { text, resource } = item as { text?: unknown; resource?: { text?: unknown } };
    if (typeof text === 'string') parts.push(text);
    else if (typeof resource?.text === 'string') parts.push(resource.text);
  }
  return parts.length > 0 ? parts.join('\n') : undefined;
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/**
 * The session's behaviour monitor: started from the node's model with the session's task as context, or
 * restored from the session snapshot (validated: a corrupt one refuses to start rather than forget taint).
 */
export function sessionMonitor(
  model: BehaviourModel,
  descriptor: SessionDescriptor,
  clock: Clock,
  saved: unknown,
): SessionMonitor {
  const input = {
    sessionId: descriptor.sid,
    purpose: descriptor.purpose,
    context: `${descriptor.purpose} ${descriptor.task ?? ''}`,
    clock,
  };
  if (saved === undefined) return model.startSession(input);
  const snapshot: MonitorSnapshot = parseMonitorSnapshot(saved, `session ${descriptor.sid} snapshot`);
  return model.restoreSession(input, snapshot);
}

/** Tells the monitor what became of a call; returns the new risk when it moved between calls. */
export function observeCall(monitor: SessionMonitor, observed: ObservedCall): MonitorAssessment | undefined {
  const text = resultText(observed.result);
  return monitor.observe({
    callId: observed.callId,
    verdict: observed.verdict,
    bytesIn: observed.bytesIn,
    bytesOut: observed.bytesOut,
    ...(text === undefined ? {} : { resultText: text }),
  });
}
