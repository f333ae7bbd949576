import type { Grant, Limits, PolicyBundle, Purpose } from '../compile/bundle.js';
import { type CommandResult, ExitCode, json, loadOrReport } from './result.js';

export interface DiffArgs {
  readonly a: readonly string[];
  readonly b: readonly string[];
  readonly json?: boolean;
}

export interface GrantChange {
  readonly purpose: string;
  /** `server.tool`, `server.method`, or `(purpose)` for purpose-wide settings. */
  readonly grant: string;
  readonly change: 'added' | 'removed' | 'changed';
  /** Changed fields: `field: before → after`. */
  readonly fields: readonly string[];
}

const PURPOSE_WIDE = '(purpose)';

function limitsText(limits: Limits): Record<string, string> {
  const schedule = limits.schedule;
  return {
    callsPerMinute: String(limits.callsPerMinute?.max ?? '-'),
    bytesIn: String(limits.bytesIn?.max ?? '-'),
    bytesOut: String(limits.bytesOut?.max ?? '-'),
    schedule: schedule
      ? `${schedule.timeZone} ${schedule.windows.map((w) => `${w.days}:${w.from}-${w.to}`).join(',')}`
      : '-',
  };
}

/** The comparable content of a grant: what it allows, never where it is written. */
function grantText(grant: Grant): Record<string, string> {
  return {
    allowed: String(grant.allowed),
    scope: grant.scope.map((g) => g.glob).join(', ') || '-',
    exclude: grant.exclude.map((g) => g.glob).join(', ') || '-',
    requires: grant.requires.map((r) => r.key).join(', ') || '-',
    approval: grant.approvalAt ? 'required' : 'none',
    conditions: String(grant.conditions.length),
    ...limitsText(grant.limits),
  };
}

function purposeText(purpose: Purpose): Record<string, string> {
  return {
    tier: purpose.tier,
    ttl: String(purpose.ttl ? purpose.ttl.max / 1000 : '-'),
    user: purpose.user?.value ?? '-',
    ...limitsText(purpose.limits),
  };
}

function compare(
  purpose: string,
  grant: string,
  a?: Record<string, string>,
  b?: Record<string, string>,
): GrantChange | undefined {
  if (!a) return { purpose, grant, change: 'added', fields: [] };
  if (!b) return { purpose, grant, change: 'removed', fields: [] };
  const fields = Object.keys(a)
    .filter((k) => a[k] !== b[k])
    .map((k) => `${k}: ${a[k]} → ${b[k]}`);
  return fields.length > 0 ? { purpose, grant, change: 'changed', fields } : undefined;
}

function grantsOf(purpose: Purpose | undefined): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  if (!purpose) return out;
  out.set(PURPOSE_WIDE, purposeText(purpose));
  for (const g of [...purpose.tools.values(), ...purpose.methods.values()]) out.set(g.key, grantText(g));
  return out;
}

/** Which (purpose, grant) pairs differ between two bundles, sorted. */
export function diffBundles(a: PolicyBundle, b: PolicyBundle): GrantChange[] {
  const changes: GrantChange[] = [];
  for (const name of [...new Set([...a.purposes.keys(), ...b.purposes.keys()])].sort()) {
    const before = grantsOf(a.purposes.get(name));
    const after = grantsOf(b.purposes.get(name));
    for (const key of [...new Set([...before.keys(), ...after.keys()])].sort()) {
      const change = compare(name, key, before.get(key), after.get(key));
      if (change) changes.push(change);
    }
  }
  return changes;
}

const MARK = { added: '+', removed: '-', changed: '~' } as const;

/** `trustmesh policy diff A B`: exit 0 when the grants are the same, 1 when they differ. */
export async function diffCommand(args: DiffArgs): Promise<CommandResult> {
  const asJson = args.json ?? false;
  const a = await loadOrReport(args.a, asJson);
  if ('result' in a) return { ...a.result, exitCode: ExitCode.Usage };
  const b = await loadOrReport(args.b, asJson);
  if ('result' in b) return { ...b.result, exitCode: ExitCode.Usage };
  const changes = diffBundles(a.bundle, b.bundle);
  const exitCode = changes.length === 0 ? ExitCode.Ok : ExitCode.Failed;
  if (asJson) return json({ from: a.bundle.version, to: b.bundle.version, changes }, exitCode);
  if (changes.length === 0) return { exitCode, stdout: 'no grant changed\n' };
  const lines = changes.map((c) =>
    [`${MARK[c.change]} ${c.purpose} ${c.grant} (${c.change})`, ...c.fields.map((f) => `    ${f}`)].join(
      '\n',
    ),
  );
  return { exitCode, stdout: `${lines.join('\n')}\n${changes.length} grant(s) changed\n` };
}
