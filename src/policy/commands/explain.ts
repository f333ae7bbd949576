import type { Clock } from '../../clock.js';
import { systemClock } from '../../clock.js';
import type { PolicyBundle } from '../compile/bundle.js';
import { splitKey } from '../compile/methods.js';
import { argsObject, toolResource } from '../decide/call-resource.js';
import { decide } from '../decide/decide.js';
import { REASON_TEXT } from '../decide/reasons.js';
import { recordCall } from '../decide/record.js';
import {
  type CallHistory,
  type Decision,
  EMPTY_COUNTERS,
  EMPTY_HISTORY,
  type McpCall,
  type SessionCounters,
} from '../decide/types.js';
import { createFsResolver, type ResourceResolver } from '../resource/resolver.js';
import { SessionState } from '../vocabulary.js';
import { type CommandResult, ExitCode, json, loadOrReport } from './result.js';

export interface ExplainArgs {
  readonly policy: readonly string[];
  readonly purpose: string;
  /** `server.tool` for a tools/call, or `server` when `method` is given. */
  readonly tool: string;
  /** An MCP method other than tools/call (e.g. `resources/read`). */
  readonly method?: string;
  /** JSON object: the tool's arguments or the method's params. */
  readonly args?: string;
  readonly state?: string;
  /** JSON array of earlier successful calls: `[{"tool": "server.tool", "args": {...}}]`. */
  readonly history?: string;
  readonly principal?: string;
  /** ISO time to decide at (time windows); default now. */
  readonly at?: string;
  readonly json?: boolean;
}

class UsageError extends Error {}

function parseJson(flag: string, text: string | undefined, fallback: unknown, example: string): unknown {
  if (text === undefined) return fallback;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(
      `${flag} is not valid JSON (${(err as Error).message}); pass e.g. ${flag} '${example}'`,
    );
  }
}

function replayHistory(bundle: PolicyBundle, entries: unknown, resolver: ResourceResolver, clock: Clock) {
  if (!Array.isArray(entries))
    throw new UsageError('--history must be a JSON array of {"tool": "server.tool", "args": {...}}');
  let history: CallHistory = EMPTY_HISTORY;
  let counters: SessionCounters = EMPTY_COUNTERS;
  for (const entry of entries as { tool?: unknown; args?: unknown }[]) {
    const key = typeof entry?.tool === 'string' ? entry.tool : undefined;
    const catalogued = key ? bundle.catalogue.get(key) : undefined;
    if (!key || !catalogued)
      throw new UsageError(`--history names ${String(entry?.tool)}, which is not a catalogued server.tool`);
    const found = toolResource(catalogued, argsObject(entry.args) ?? {}, resolver);
    if (found && !found.ok) throw new UsageError(`--history entry for ${key}: ${found.detail}`);
    ({ history, counters } = recordCall(
      history,
      counters,
      { key, resource: found?.value },
      { ok: true },
      clock,
    ));
  }
  return { history, counters };
}

function render(args: ExplainArgs, decision: Decision): string {
  const on = decision.resource === undefined ? '' : ` on ${decision.resource}`;
  const effect = decision.effect === undefined ? '' : ` (${decision.effect})`;
  return [
    `${decision.verdict}: ${decision.reason} (rule ${decision.rule})`,
    `${args.method ? `${args.tool} ${args.method}` : args.tool}${on}${effect} for purpose ${args.purpose}`,
    `${REASON_TEXT[decision.reason]}${decision.detail ? `: ${decision.detail}` : ''}`,
    `policy ${decision.policyVersion}`,
  ].join('\n');
}

/** `trustmesh policy explain`: decides one call as the session actor would and says why. */
export async function explainCommand(args: ExplainArgs, clock: Clock = systemClock): Promise<CommandResult> {
  const loaded = await loadOrReport(args.policy, args.json ?? false);
  if ('result' in loaded) return loaded.result;
  const { bundle } = loaded;
  try {
    const now = args.at === undefined ? clock() : Date.parse(args.at);
    if (Number.isNaN(now))
      throw new UsageError(`--at "${args.at}" is not a date; use ISO 8601, e.g. 2024-01-08T09:30:00Z`);
    const at: Clock = () => now;
    const state = args.state ?? SessionState.Active;
    if (!(Object.values(SessionState) as string[]).includes(state)) {
      throw new UsageError(
        `--state "${state}" is unknown; use one of ${Object.values(SessionState).join(', ')}`,
      );
    }
    const split = args.method ? { server: args.tool, name: '' } : splitKey(args.tool);
    if (!split)
      throw new UsageError(`--tool "${args.tool}" must be written server.tool, e.g. github.get_pull_request`);
    const callArgs = parseJson('--args', args.args, {}, '{"path":"src/index.ts"}');
    const resolver = createFsResolver();
    const { history, counters } = replayHistory(
      bundle,
      parseJson('--history', args.history, [], '[{"tool":"s.t","args":{}}]'),
      resolver,
      at,
    );
    const call: McpCall = args.method
      ? { method: args.method, server: split.server, args: callArgs }
      : { method: 'tools/call', server: split.server, tool: split.name, args: callArgs };
    const purpose = bundle.purposes.get(args.purpose);
    const principal = args.principal ?? purpose?.user?.value ?? 'explain';
    const decision = decide(
      bundle,
      {
        purpose: args.purpose,
        principal,
        state: state as SessionState,
        sessionStartedAt: now,
        history,
        counters,
        call,
      },
      at,
      resolver,
    );
    if (args.json) return json({ ...decision, explanation: REASON_TEXT[decision.reason] }, ExitCode.Ok);
    return { exitCode: ExitCode.Ok, stdout: `${render(args, decision)}\n` };
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    return args.json
      ? json({ ok: false, error: err.message }, ExitCode.Usage)
      : { exitCode: ExitCode.Usage, stdout: `${err.message}\n` };
  }
}
