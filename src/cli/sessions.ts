import type { NatsConnection } from '@nats-io/transport-node';
import type { Command } from 'commander';
import {
  type MeshControl,
  openControlBuckets,
  readAll,
  SessionDescriptorSchema,
  type SessionSummary,
  SessionVerb,
} from '../actors/control/index.js';
import { type OperatorFlags, operatorName, runOperator, withOperatorFlags } from './operator.js';
import { inspectionText, type SessionRow, sessionTable } from './sessions-view.js';

interface ContainmentFlags extends OperatorFlags {
  reason: string;
  operator?: string;
}

const DEFAULT_REASON = 'requested with the trustmesh CLI';

/** The operator verbs, what each does, and what the operator can do afterwards. */
const CONTAINMENT = {
  [SessionVerb.Suspend]: { does: 'refuse every call until an operator resumes it', next: 'resume' },
  [SessionVerb.Resume]: { does: 'return to what policy grants', next: 'inspect' },
  [SessionVerb.ReadOnly]: { does: 'allow only tools whose effect is read', next: 'resume' },
  [SessionVerb.Scrutinise]: { does: 'require approval for write and egress calls', next: 'resume' },
  [SessionVerb.Kill]: { does: 'end the session for good and remove it from the mesh', next: 'list' },
} as const;
type ContainmentVerb = keyof typeof CONTAINMENT;

/** `trustmesh sessions list|inspect|suspend|resume|readonly|scrutinise|kill`. */
export function registerSessionsCommands(program: Command): void {
  const sessions = program
    .command('sessions')
    .description('Watch live sessions and move them through their statechart (containment).');

  withOperatorFlags(sessions.command('list'))
    .description('List the live sessions: principal, purpose, state, age and expiry.')
    .addHelpText('after', '\nExample:\n  trustmesh sessions list --json | jq -r ".sessions[].sid"')
    .action((flags: OperatorFlags) =>
      runOperator(flags, {}, async ({ control, nc, out }) => {
        const rows = await sessionRows(control, nc);
        out.result(sessionTable(rows, Date.now()), { ok: true, sessions: rows });
      }),
    );

  withOperatorFlags(sessions.command('inspect'))
    .description('Show one session: state, its transition history, usage counters and any held call.')
    .argument('<sid>', 'session id (see trustmesh sessions list)')
    .addHelpText('after', '\nExample:\n  trustmesh sessions inspect 3q2Vb9kXoV1yTf0Wc8mJwA')
    .action((sid: string, flags: OperatorFlags) =>
      runOperator(flags, { sid }, async ({ control, out }) => {
        const inspection = await control.inspect(sid);
        out.result(inspectionText(inspection, Date.now()), { ok: true, session: inspection });
      }),
    );

  for (const [verb, { does }] of Object.entries(CONTAINMENT) as [ContainmentVerb, { does: string }][]) {
    withOperatorFlags(sessions.command(verb))
      .description(`Tell a session to ${does}; it applies to the very next call.`)
      .argument('<sid>', 'session id (see trustmesh sessions list)')
      .option('--reason <text>', 'why, recorded in the session history and audit', DEFAULT_REASON)
      .option('--operator <name>', 'who asks, recorded in the history (default: $USER)')
      .addHelpText(
        'after',
        `\nExample:\n  trustmesh sessions ${verb} 3q2Vb9kXoV1yTf0Wc8mJwA --reason "ticket SEC-42" --operator alice`,
      )
      .action((sid: string, flags: ContainmentFlags) =>
        runOperator(flags, { sid }, async ({ control, out }) => {
          const operator = flags.operator ?? operatorName('--operator');
          const before = await control.inspect(sid);
          const after = await control[verb](sid, { operator, reason: flags.reason });
          out.result(containmentText(verb, before.state, after, `operator ${operator}: ${flags.reason}`), {
            ok: true,
            sid,
            verb,
            from: before.state,
            to: after.state,
            changed: before.state !== after.state,
          });
        }),
      );
  }
}

function containmentText(verb: ContainmentVerb, from: string, after: SessionSummary, why: string): string {
  const { sid, state } = after;
  if (from === state) {
    return (
      `session ${sid} stays ${state}: '${verb}' does not move a session that is ${state}. ` +
      `Run 'trustmesh sessions inspect ${sid}' to see its history.`
    );
  }
  const next: Record<(typeof CONTAINMENT)[ContainmentVerb]['next'], string> = {
    resume: `Run 'trustmesh sessions resume ${sid}' to lift it.`,
    inspect: `Run 'trustmesh sessions inspect ${sid}' to follow it.`,
    list: "Create a new session with 'trustmesh session create' if the agent still needs one.",
  };
  // Suspend revoked the agent's token and NATS user; resume does not bring them back.
  const renew =
    from === 'suspended' && verb === SessionVerb.Resume
      ? ` Its credentials stay revoked: run 'trustmesh session renew ${sid}' and restart the agent's bridge.`
      : '';
  return `session ${sid}: ${from} → ${state} (${why}). ${next[CONTAINMENT[verb].next]}${renew}`;
}

/** The node's summaries, with the registration time from the session registry (for the age column). */
async function sessionRows(control: MeshControl, nc: NatsConnection): Promise<SessionRow[]> {
  const [summaries, registered] = await Promise.all([
    control.listSessions(),
    openControlBuckets(nc).then(({ sessions }) =>
      readAll(sessions, (value) => SessionDescriptorSchema.safeParse(value).data),
    ),
  ]);
  const createdAt = new Map(registered.map((d) => [d.sid, d.createdAt]));
  return summaries.map((s) => ({ ...s, createdAt: createdAt.get(s.sid) ?? null }));
}
