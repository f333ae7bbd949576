import type { Msg } from '@nats-io/transport-node';
import { ApproverError, type ApproverVerifier } from '../../pki/approvers/index.js';
import {
  type ApprovalRecord,
  type ApproveRequest,
  ApproveRequestSchema,
  ControlError,
  ControlErrorCode,
  type ControlSubjects,
  DenyRequestSchema,
  decodeBody,
  encodeReply,
  errorReply,
  isSessionVerb,
  OperatorRequestSchema,
  SessionVerb,
} from '../control/index.js';
import type { SessionActor } from '../session/index.js';

export interface SessionControlContext {
  readonly subjects: ControlSubjects;
  readonly find: (sid: string) => SessionActor | undefined;
  /** Verifies approvers' ID tokens; undefined when the node has no identity provider (approvals refused). */
  readonly approvers: ApproverVerifier | undefined;
  readonly log: (line: string) => void;
  readonly report: (err: unknown) => void;
}

/**
 * Answers one `<prefix>.ctl.session.<sid>.<verb>` request. Every request gets a reply: the result,
 * or a typed error (malformed body, unknown verb or session, no pending approval, approver refused);
 * nothing throws.
 */
export function answerSessionControl(msg: Msg, context: SessionControlContext): void {
  void (async () => {
    let reply: Uint8Array;
    try {
      reply = encodeReply({ ok: true, result: await dispatch(msg, context) });
    } catch (err) {
      if (!(err instanceof ControlError || err instanceof ApproverError)) context.report(err);
      reply = encodeReply(errorReply(err));
    }
    if (msg.reply) msg.respond(reply);
  })();
}

function dispatch(msg: Msg, context: SessionControlContext): unknown {
  const target = context.subjects.parseSession(msg.subject);
  if (!target || !isSessionVerb(target.verb)) {
    throw new ControlError(
      ControlErrorCode.UnknownVerb,
      `${JSON.stringify(target?.verb ?? msg.subject)} is not a session verb; use one of ${Object.values(SessionVerb).join(', ')}.`,
    );
  }
  const { sid, verb } = target;
  const what = `the ${verb} request`;
  const session = (): SessionActor => {
    const actor = context.find(sid);
    if (actor) return actor;
    throw new ControlError(
      ControlErrorCode.UnknownSession,
      `No node hosts session ${sid}; list sessions to see the live ones (it may have ended or been killed).`,
    );
  };
  switch (verb) {
    case SessionVerb.Inspect:
      return session().inspect();
    case SessionVerb.Approve:
      return answer(decodeBody(ApproveRequestSchema, msg.data, what), true, session, context);
    case SessionVerb.Deny:
      return answer(decodeBody(DenyRequestSchema, msg.data, what), false, session, context);
    default:
      return session().command(verb, decodeBody(OperatorRequestSchema, msg.data, what));
  }
}

/**
 * An approval counts only from a verified approver: the node checks the ID token with the identity
 * provider (signature, issuer, audience, expiry, MFA) and refuses the session's own principal. The
 * approver recorded is the token's subject. A refusal leaves the call waiting for another answer.
 */
async function answer(
  request: ApproveRequest,
  granted: boolean,
  session: () => SessionActor,
  { approvers, log }: SessionControlContext,
): Promise<ApprovalRecord> {
  if (!approvers) {
    throw new ControlError(
      ControlErrorCode.ApproverNotConfigured,
      'This mesh node has no approver identity provider, so it accepts no approval or denial. Restart it ' +
        'with --approver-issuer <OIDC issuer URL> --approver-audience <client id> (trustmesh node or trustmesh up).',
    );
  }
  const held = session().awaitingApproval(request.callId);
  const verb = granted ? 'approval' : 'denial';
  try {
    const approver = await approvers.verify(request.idToken, { sessionPrincipal: held.principal });
    log(
      `${verb} of call ${held.callId} in session ${held.sid} by ${approver.subject} (amr ${approver.amr.join(',')})`,
    );
    // The session may have moved on while the provider answered; `answer` checks again.
    const { callId, reason } = request;
    return session().answer({ callId, approver: approver.subject, reason }, granted);
  } catch (err) {
    if (err instanceof ApproverError) {
      log(`${verb} of call ${held.callId} in session ${held.sid} refused: ${err.code}`);
    }
    throw err;
  }
}
