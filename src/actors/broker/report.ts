import type { QuarantineReport } from './wire.js';

/** The refusal a quarantined broker gives: what changed or was flagged, and how to lift it. */
export function quarantineMessage(server: string, report: QuarantineReport | null): string {
  const reasons: string[] = [];
  if (report?.neverApproved) reasons.push('its tools were never approved');
  const diff = report?.diff ?? { added: [], removed: [], changed: [] };
  if (diff.changed.length > 0)
    reasons.push(`tool definitions changed since approval: ${diff.changed.join(', ')}`);
  // Before any approval every tool is "added"; naming them all would only bury the real reasons.
  if (diff.added.length > 0 && !report?.neverApproved) {
    reasons.push(`tools not yet approved: ${diff.added.join(', ')}`);
  }
  if (diff.removed.length > 0) reasons.push(`approved tools no longer listed: ${diff.removed.join(', ')}`);
  for (const { tool, markers } of report?.flagged ?? []) {
    reasons.push(`${tool} carries injection markers (${markers.join('; ')})`);
  }
  const why = reasons.length > 0 ? reasons.join('; ') : 'its tool definitions are awaiting review';
  return `Server ${server} is quarantined: ${why}. Every call is refused until an operator reviews the definitions and runs \`trustmesh broker approve ${server}\`.`;
}
