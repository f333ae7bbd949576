/**
 * The outcome of canonicalising a call's resource. `arguments` means the call's arguments do not have
 * the shape the catalogue names (missing or ill-typed); `resource` means the value itself is refused
 * (control characters, outside the root, unresolvable).
 */
export type ResourceResult =
  | { readonly ok: true; readonly value: string }
  | { readonly ok: false; readonly problem: 'arguments' | 'resource'; readonly detail: string };

export function resourceOk(value: string): ResourceResult {
  return { ok: true, value };
}

export function badResource(detail: string): ResourceResult {
  return { ok: false, problem: 'resource', detail };
}

export function badArguments(detail: string): ResourceResult {
  return { ok: false, problem: 'arguments', detail };
}

/** C0 and C1 control characters, DEL and NUL: never part of a legitimate resource. */
export const CONTROL_CHARS = /\p{Cc}/u;
