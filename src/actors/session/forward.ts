import { join } from 'node:path';
import { type Decision, type PolicyBundle, ResourceKind } from '../../policy/index.js';

/** `server.tool` (or `server.method`) split at the first dot; server names never hold one. */
export function splitKey(key: string): { server: string; name: string } | undefined {
  const dot = key.indexOf('.');
  if (dot <= 0 || dot === key.length - 1) return undefined;
  return { server: key.slice(0, dot), name: key.slice(dot + 1) };
}

/**
 * The arguments the broker receives. Where the policy canonicalised a path, the server gets the
 * canonical absolute path the policy checked, never the agent's spelling (`src/%2e%2e/x`, links):
 * the capability's argument digest binds exactly these arguments.
 */
export function forwardedArgs(
  bundle: PolicyBundle,
  key: string,
  args: Record<string, unknown>,
  decision: Decision,
): Record<string, unknown> {
  const entry = bundle.catalogue.get(key);
  const param = entry?.template?.args[0];
  if (
    entry?.kind !== ResourceKind.Path ||
    entry.root === undefined ||
    param === undefined ||
    decision.resource === undefined
  ) {
    return args;
  }
  const canonical = decision.resource === '.' ? entry.root : join(entry.root, decision.resource);
  return { ...args, [param]: canonical };
}

/** Size in bytes of a JSON value as it crosses the wire, for the byte caps. */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value ?? null));
}
