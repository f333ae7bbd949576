import { Effect } from '../vocabulary.js';

/**
 * MCP methods other than `tools/call` that a purpose may grant (as `server.method`), with the
 * request parameter its scope matches. Anything not listed here, and not answered by the mesh
 * itself, is an unknown method and denied.
 */
export const GRANTABLE_METHODS: ReadonlyMap<string, { readonly effect: Effect; readonly param?: string }> =
  new Map([
    ['resources/read', { effect: Effect.Read, param: 'uri' }],
    ['resources/subscribe', { effect: Effect.Read, param: 'uri' }],
    ['resources/unsubscribe', { effect: Effect.Read, param: 'uri' }],
    ['resources/list', { effect: Effect.Read }],
    ['resources/templates/list', { effect: Effect.Read }],
    ['prompts/get', { effect: Effect.Read, param: 'name' }],
    ['prompts/list', { effect: Effect.Read }],
    ['completion/complete', { effect: Effect.Read }],
    ['logging/setLevel', { effect: Effect.Admin }],
  ]);

/**
 * Methods the mesh answers itself and never forwards: the handshake, liveness, notifications and
 * the tool list (which the session filters down to its grant).
 */
export function isMeshLocalMethod(method: string): boolean {
  return (
    method === 'initialize' ||
    method === 'ping' ||
    method === 'tools/list' ||
    method.startsWith('notifications/')
  );
}

/** Splits `server.tool` at the first dot; server names never contain one. */
export function splitKey(key: string): { server: string; name: string } | undefined {
  const dot = key.indexOf('.');
  if (dot <= 0 || dot === key.length - 1) return undefined;
  return { server: key.slice(0, dot), name: key.slice(dot + 1) };
}
