import type { Command } from 'commander';
import {
  type ApprovalRecord,
  ControlError,
  ControlErrorCode,
  type MeshControl,
} from '../actors/control/index.js';
import { readIdToken } from './id-token.js';
import { goneApprovalMessage, type OperatorFlags, runOperator, withOperatorFlags } from './operator.js';
import { relative } from './sessions-view.js';
import { formatInstant, renderTable } from './table.js';

interface AnswerFlags extends OperatorFlags {
  idToken: string;
  reason?: string;
}

const ID_TOKEN_HELP =
  "your OIDC ID token from the mesh's approver identity provider, signed in with MFA: a file, or - for stdin";
const ID_TOKEN_NOTE =
  '\nThe mesh node verifies the ID token (issuer, audience, signature, expiry, MFA in amr) and records its\n' +
  'subject as the approver; nobody may answer a call of their own session.\n';

const PREVIEW_COLUMN = 60;

/** `trustmesh approvals list|approve|deny`: answer the calls that policy holds for a human. */
export function registerApprovalsCommands(program: Command): void {
  const approvals = program
    .command('approvals')
    .description('List the tool calls waiting for a human, and approve or deny them before their deadline.');

  withOperatorFlags(approvals.command('list'))
    .description('List the calls waiting for approval, oldest first, with the time left to answer.')
    .addHelpText(
      'after',
      '\nA call nobody answers before its deadline is denied.\n' +
        'Example:\n  trustmesh approvals list --json | jq -r ".approvals[].callId"',
    )
    .action((flags: OperatorFlags) =>
      runOperator(flags, {}, async ({ control, out }) => {
        const pending = await control.listApprovals();
        out.result(approvalTable(pending, Date.now()), { ok: true, approvals: pending });
      }),
    );

  withOperatorFlags(approvals.command('approve'))
    .description('Let a held call run: it goes to the tool at once and the agent gets its result.')
    .argument('<callId>', 'call id from trustmesh approvals list')
    .requiredOption('--id-token <file|->', ID_TOKEN_HELP)
    .option('--reason <text>', 'why, recorded with the call')
    .addHelpText(
      'after',
      `${ID_TOKEN_NOTE}Example:\n  trustmesh approvals approve 0b6f4f4e-0c7a-4a43-9d5e-7f3c2a1b9e10 --id-token ~/.config/idp/id_token --reason "release 2.3 sign-off"`,
    )
    .action((callId: string, flags: AnswerFlags) => answer(callId, flags, true));

  withOperatorFlags(approvals.command('deny'))
    .description('Refuse a held call: the agent gets a denial carrying your reason; the tool never runs.')
    .argument('<callId>', 'call id from trustmesh approvals list')
    .requiredOption('--reason <text>', 'why, sent to the agent and recorded with the call')
    .requiredOption('--id-token <file|->', ID_TOKEN_HELP)
    .addHelpText(
      'after',
      `${ID_TOKEN_NOTE}Example:\n  idp-login --print-id-token | trustmesh approvals deny 0b6f4f4e-0c7a-4a43-9d5e-7f3c2a1b9e10 --id-token - --reason "not during the freeze"`,
    )
    .action((callId: string, flags: AnswerFlags) => answer(callId, flags, false));
}

function answer(callId: string, flags: AnswerFlags, granted: boolean): Promise<void> {
  return runOperator(flags, { callId }, async ({ control, out }) => {
    const idToken = await readIdToken(flags.idToken);
    const held = await findPending(control, callId);
    // deny's --reason is a required option; an empty one is refused by the node, never turned into an approval.
    const record = granted
      ? await control.approve(held.sid, {
          callId,
          idToken,
          ...(flags.reason ? { reason: flags.reason } : {}),
        })
      : await control.deny(held.sid, { callId, idToken, reason: flags.reason ?? '' });
    const what = `call ${callId} (${record.tool} in session ${record.sid})`;
    const approver = record.approver ?? 'the approver';
    out.result(
      granted
        ? `approved ${what} as ${approver}; it runs now and the agent gets its result.`
        : `denied ${what} as ${approver}; the agent gets the denial with your reason and the tool never runs.`,
      { ok: true, approval: record },
    );
  });
}

async function findPending(control: MeshControl, callId: string): Promise<ApprovalRecord> {
  const held = (await control.listApprovals()).find((record) => record.callId === callId);
  if (!held) throw new ControlError(ControlErrorCode.NoPendingApproval, goneApprovalMessage(callId));
  return held;
}

function approvalTable(pending: readonly ApprovalRecord[], now: number): string {
  if (pending.length === 0) return 'No calls are waiting for approval.';
  const table = renderTable(
    ['CALL ID', 'SID', 'TOOL', 'ARGS', 'REASON', 'DEADLINE', 'TIME LEFT'],
    pending.map((a) => [
      a.callId,
      a.sid,
      a.tool,
      cut(a.preview),
      a.reason,
      formatInstant(a.deadline),
      relative(a.deadline, now),
    ]),
  );
  return `${table}\n\nAnswer with 'trustmesh approvals approve <callId> --id-token F' or 'trustmesh approvals deny <callId> --id-token F --reason R'.`;
}

function cut(text: string): string {
  return text.length <= PREVIEW_COLUMN ? text : `${text.slice(0, PREVIEW_COLUMN - 1)}…`;
}
