import { randomBytes } from 'node:crypto';
import { InvalidSubjectTokenError } from './errors.js';

/** Subject prefix of every trustmesh subject unless configured otherwise. */
export const DEFAULT_PREFIX = 'tm';

/** Longest session id accepted; ours are 22 characters, the slack is for operator-minted ids. */
export const MAX_SESSION_ID_LENGTH = 64;
/** Longest subject prefix accepted. */
export const MAX_PREFIX_LENGTH = 32;

// Base64url and a few separators only: never `.`, `*`, `>`, whitespace or control characters,
// so a value can never widen or escape the subject namespace it is put into.
const SAFE_TOKEN = /^[A-Za-z0-9_-]+$/;

/** A new session id: `s` and 128 random bits in base64url (23 characters), one safe NATS subject token. */
export function newSessionId(): string {
  // The leading letter keeps the id from ever starting with '-', which a command line reads as a flag.
  return `s${randomBytes(16).toString('base64url')}`;
}

/** Throws `InvalidSubjectTokenError` unless `sid` is one safe NATS subject token. */
export function assertSessionId(sid: string): void {
  assertToken('session id', sid, MAX_SESSION_ID_LENGTH);
}

/** Throws `InvalidSubjectTokenError` unless `prefix` is one safe NATS subject token. */
export function assertPrefix(prefix: string): void {
  assertToken('subject prefix', prefix, MAX_PREFIX_LENGTH);
}

function assertToken(what: string, value: unknown, max: number): void {
  if (typeof value !== 'string' || value.length === 0) {
    throw new InvalidSubjectTokenError(`The ${what} is empty; pass a non-empty string.`);
  }
  if (value.length > max) {
    throw new InvalidSubjectTokenError(
      `The ${what} is ${value.length} characters long; the limit is ${max}. Use a shorter one.`,
    );
  }
  if (!SAFE_TOKEN.test(value)) {
    throw new InvalidSubjectTokenError(
      `The ${what} ${JSON.stringify(value)} is not a single safe NATS subject token; use only letters, digits, '-' and '_'.`,
    );
  }
}

/** The subjects one session uses. The agent may publish and subscribe only under `root`. */
export interface SessionSubjects {
  /** `<prefix>.s.<sid>`: everything of the session lives below it. */
  readonly root: string;
  /** Agent → mesh JSON-RPC messages. */
  readonly c2s: string;
  /** Mesh → agent JSON-RPC messages (notifications and server-initiated requests). */
  readonly s2c: string;
  /** Agent → mesh channel handshake. */
  readonly hello: string;
  /** Agent → any node (queue group): bring the session up somewhere, it has no live host. */
  readonly activate: string;
  /** Inbox prefix of the agent's connection; its replies arrive below it. */
  readonly inboxPrefix: string;
}

/** The subjects of session `sid` under `prefix`; validates both. */
export function sessionSubjects(prefix: string, sid: string): SessionSubjects {
  assertPrefix(prefix);
  assertSessionId(sid);
  const root = `${prefix}.s.${sid}`;
  return {
    root,
    c2s: `${root}.c2s`,
    s2c: `${root}.s2c`,
    hello: `${root}.hello`,
    activate: `${root}.activate`,
    inboxPrefix: `_INBOX_${sid}`,
  };
}

/** What every node listens on, in one queue group, for activations of sessions without a live host. */
export function activationWildcard(prefix: string): string {
  assertPrefix(prefix);
  return `${prefix}.s.*.activate`;
}

/** The session id of an activation subject, or undefined when `subject` is not one. */
export function activatedSession(prefix: string, subject: string): string | undefined {
  const [p, s, sid, verb, ...rest] = subject.split('.');
  return p === prefix && s === 's' && verb === 'activate' && rest.length === 0 ? sid : undefined;
}

/**
 * Connection options the agent's NATS connection must be opened with, e.g.
 * `connect({ servers, ...sessionConnectOptions('tm', sid) })`: its session credentials allow it to
 * subscribe only to this inbox prefix, so replies to any other inbox would be refused.
 */
export function sessionConnectOptions(prefix: string, sid: string): { inboxPrefix: string } {
  return { inboxPrefix: sessionSubjects(prefix, sid).inboxPrefix };
}
