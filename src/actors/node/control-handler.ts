import type { Msg } from '@nats-io/transport-node';
import {
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

/**
 * Answers one `<prefix>.ctl.session.<sid>.<verb>` request. Every request gets a reply: the result,
 * or a typed error (malformed body, unknown verb or session, no pending approval); nothing throws.
 */
export function answerSessionControl(
  msg: Msg,
  subjects: ControlSubjects,
  find: (sid: string) => SessionActor | undefined,
  report: (err: unknown) => void,
): void {
  let reply: Uint8Array;
  try {
    reply = encodeReply({ ok: true, result: dispatch(msg, subjects, find) });
  } catch (err) {
    if (!(err instanceof ControlError)) report(err);
    reply = encodeReply(errorReply(err));
  }
  if (msg.reply) msg.respond(reply);
}

function dispatch(
  msg: Msg,
  subjects: ControlSubjects,
  find: (sid: string) => SessionActor | undefined,
): unknown {
  const target = subjects.parseSession(msg.subject);
  if (!target || !isSessionVerb(target.verb)) {
    throw new ControlError(
      ControlErrorCode.UnknownVerb,
      `${JSON.stringify(target?.verb ?? msg.subject)} is not a session verb; use one of ${Object.values(SessionVerb).join(', ')}.`,
    );
  }
  const { sid, verb } = target;
  const what = `the ${verb} request`;
  const session = (): SessionActor => {
    const actor = find(sid);
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
      return session().answer(decodeBody(ApproveRequestSchema, msg.data, what), true);
    case SessionVerb.Deny:
      return session().answer(decodeBody(DenyRequestSchema, msg.data, what), false);
    default:
      return session().command(verb, decodeBody(OperatorRequestSchema, msg.data, what));
  }
}
