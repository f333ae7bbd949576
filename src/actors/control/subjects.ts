import { assertPrefix, assertSessionId, DEFAULT_PREFIX } from '../../transport/index.js';
import { isServerName } from '../capability/index.js';
import { ControlError, ControlErrorCode } from './errors.js';

/** JetStream KV bucket of registered sessions: key = sid, value = `SessionDescriptor` JSON. */
export const SESSIONS_BUCKET = 'trustmesh_sessions';
/** JetStream KV bucket of approvals: key = `<sid>.<callId>`, value = `ApprovalRecord` JSON. */
export const APPROVALS_BUCKET = 'trustmesh_approvals';

/** What an operator can ask of one session (`<prefix>.ctl.session.<sid>.<verb>`). */
export const SessionVerb = {
  Inspect: 'inspect',
  Suspend: 'suspend',
  Resume: 'resume',
  ReadOnly: 'readonly',
  Scrutinise: 'scrutinise',
  Kill: 'kill',
  Approve: 'approve',
  Deny: 'deny',
} as const;
export type SessionVerb = (typeof SessionVerb)[keyof typeof SessionVerb];

/** What an operator can ask of a broker (`<prefix>.ctl.broker.<server>.<verb>`). */
export const BrokerVerb = { Approve: 'approve' } as const;
export type BrokerVerb = (typeof BrokerVerb)[keyof typeof BrokerVerb];

const VERBS: ReadonlySet<string> = new Set(Object.values(SessionVerb));

export function isSessionVerb(verb: string): verb is SessionVerb {
  return VERBS.has(verb);
}

/**
 * Control-plane subjects. They live outside `<prefix>.s.>`, the only namespace session credentials
 * reach, so an agent can never command its own session or answer its own approvals.
 */
export interface ControlSubjects {
  /** Request/reply: the sessions a node hosts. */
  readonly nodeSessions: string;
  /** What a node subscribes to for every session verb. */
  readonly sessionWildcard: string;
  /** New approval requests are announced here (fire and forget; the KV bucket is the record). */
  readonly approvalsRequested: string;
  /** The subject of `verb` for session `sid`. */
  session(sid: string, verb: SessionVerb): string;
  /** `{ sid, verb }` from a subject matched by `sessionWildcard`, or undefined when it is not one. */
  parseSession(subject: string): { sid: string; verb: string } | undefined;
  /** The subject of `verb` for the broker(s) of `server`. */
  broker(server: string, verb: BrokerVerb): string;
}

export function controlSubjects(prefix: string = DEFAULT_PREFIX): ControlSubjects {
  assertPrefix(prefix);
  const sessionRoot = `${prefix}.ctl.session`;
  return {
    nodeSessions: `${prefix}.ctl.node.sessions`,
    sessionWildcard: `${sessionRoot}.*.*`,
    approvalsRequested: `${prefix}.approvals.requested`,
    session(sid, verb) {
      assertSessionId(sid);
      return `${sessionRoot}.${sid}.${verb}`;
    },
    broker(server, verb) {
      if (!isServerName(server)) {
        throw new ControlError(ControlErrorCode.Malformed, `${JSON.stringify(server)} is not a server name.`);
      }
      return `${prefix}.ctl.broker.${server}.${verb}`;
    },
    parseSession(subject) {
      if (!subject.startsWith(`${sessionRoot}.`)) return undefined;
      const [sid, verb, ...rest] = subject.slice(sessionRoot.length + 1).split('.');
      if (!sid || !verb || rest.length > 0) return undefined;
      return { sid, verb };
    },
  };
}
