import { createHash } from 'node:crypto';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import type { SessionStatus } from '../../../statecharts/index.js';
import { Effect, type PolicyBundle, SessionState, Tier } from '../../policy/index.js';
import type { SessionDescriptor } from '../control/index.js';
import { splitKey } from './forward.js';

/** States in which a session may call something; the rest list nothing. */
const LISTING_STATES: ReadonlySet<SessionStatus> = new Set([
  SessionState.Active,
  SessionState.Scrutinised,
  SessionState.ReadOnly,
]);

/** The servers whose brokers the session's purpose grants anything on. */
export function grantedServers(bundle: PolicyBundle, descriptor: SessionDescriptor): string[] {
  const purpose = bundle.purposes.get(descriptor.purpose);
  if (!purpose) return [];
  const servers = new Set<string>();
  for (const grants of [purpose.tools, purpose.methods]) {
    for (const [key, grant] of grants) {
      const server = grant.allowed ? splitKey(key)?.server : undefined;
      if (server) servers.add(server);
    }
  }
  return [...servers].sort();
}

/** The servers on which the session's purpose allows `method` (a `server.method` grant), sorted. */
export function methodServers(bundle: PolicyBundle, descriptor: SessionDescriptor, method: string): string[] {
  const purpose = bundle.purposes.get(descriptor.purpose);
  const servers: string[] = [];
  for (const [key, grant] of purpose?.methods ?? []) {
    const split = splitKey(key);
    if (grant.allowed && split?.name === method) servers.push(split.server);
  }
  return servers.sort();
}

/**
 * What `tools/list` shows: the brokers' tools (named `server.tool` by their brokers), only those the purpose
 * grants to this principal, that the catalogue gives an effect, and that the state lets through
 * (readOnly and a read-only tier: `read` only; suspended, reauth, terminated: nothing).
 */
export function visibleTools(
  bundle: PolicyBundle,
  descriptor: SessionDescriptor,
  state: SessionStatus,
  catalogues: ReadonlyMap<string, readonly Tool[]>,
): Tool[] {
  const purpose = bundle.purposes.get(descriptor.purpose);
  if (!purpose || !LISTING_STATES.has(state)) return [];
  if (purpose.user && purpose.user.value !== descriptor.principal) return [];
  const readsOnly = state === SessionState.ReadOnly || purpose.tier === Tier.ReadOnly;
  const out: Tool[] = [];
  for (const tools of catalogues.values()) {
    for (const tool of tools) {
      const key = tool.name;
      const effect = bundle.catalogue.get(key)?.effect;
      if (!purpose.tools.get(key)?.allowed || effect === undefined) continue;
      if (readsOnly && effect !== Effect.Read) continue;
      out.push(tool);
    }
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Identifies a tool list, so `list_changed` is sent only when what the agent sees changed. */
export function toolsSignature(tools: readonly Tool[]): string {
  return createHash('sha256').update(JSON.stringify(tools)).digest('hex');
}
