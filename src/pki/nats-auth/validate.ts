import { assertPrefix, assertSessionId } from '../../transport/subjects.js';
import { NatsAuthInputError } from './errors.js';

/** `[prefix, sid]` once both are single safe subject tokens (the transport's own rules). */
export function checkedSession(prefix: string, sid: string): [string, string] {
  return [token('subject prefix', prefix, assertPrefix), token('session id', sid, assertSessionId)];
}

/** `[prefix, name]` once both are single safe subject tokens; `what` names `name` in the error. */
export function checkedName(prefix: string, what: string, name: string): [string, string] {
  return [token('subject prefix', prefix, assertPrefix), token(what, name, assertSessionId)];
}

// A value that widened a permission (`*`, `>`, `.`) would hand out other sessions' subjects.
function token(what: string, value: string, assert: (value: string) => void): string {
  try {
    assert(value);
  } catch (cause) {
    throw new NatsAuthInputError(
      `The ${what} ${JSON.stringify(value)} cannot go into NATS permissions: use one token of letters, digits, '-' and '_'.`,
      { cause },
    );
  }
  return value;
}
