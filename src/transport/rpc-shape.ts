/**
 * A structural check of one parsed JSON value against JSON-RPC 2.0 as MCP frames it: it accepts
 * exactly what the SDK's `JSONRPCMessageSchema` accepts (a property test holds the two together)
 * at a fraction of its cost. The SDK's Protocol checks the message kind again and each handler
 * validates its own params and results, so this only has to decide what the transport routes.
 */

const RELATED_TASK = 'io.modelcontextprotocol/related-task';

const REQUEST_KEYS: ReadonlySet<string> = new Set(['jsonrpc', 'id', 'method', 'params']);
const NOTIFICATION_KEYS: ReadonlySet<string> = new Set(['jsonrpc', 'method', 'params']);
const RESULT_KEYS: ReadonlySet<string> = new Set(['jsonrpc', 'id', 'result']);
const ERROR_KEYS: ReadonlySet<string> = new Set(['jsonrpc', 'id', 'error']);

type Fields = Record<string, unknown>;

/** Says what is wrong with `value` as a JSON-RPC message, or returns undefined when it is one. */
export function rpcMessageProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'it is not a JSON object';
  if (value.jsonrpc !== '2.0') return "jsonrpc is not '2.0'";
  if (has(value, 'method')) {
    const request = has(value, 'id');
    const problem = onlyKeys(value, request ? REQUEST_KEYS : NOTIFICATION_KEYS);
    if (problem) return problem;
    if (request && !isRequestId(value.id)) return 'id is neither a string nor a safe integer';
    if (typeof value.method !== 'string') return 'method is not a string';
    return has(value, 'params') ? paramsProblem(value.params, 'params') : undefined;
  }
  if (has(value, 'result')) {
    if (!has(value, 'id') || !isRequestId(value.id)) return 'id is neither a string nor a safe integer';
    return onlyKeys(value, RESULT_KEYS) ?? paramsProblem(value.result, 'result');
  }
  if (has(value, 'error')) {
    if (has(value, 'id') && !isRequestId(value.id)) return 'id is neither a string nor a safe integer';
    return onlyKeys(value, ERROR_KEYS) ?? errorProblem(value.error);
  }
  return 'it has neither method, result nor error';
}

/** Request and notification params and results: objects with an optional, checked `_meta`. */
function paramsProblem(value: unknown, what: string): string | undefined {
  if (!isObject(value)) return `${what} is not an object`;
  if (!has(value, '_meta')) return undefined;
  const meta = value._meta;
  if (!isObject(meta)) return `${what}._meta is not an object`;
  if (has(meta, 'progressToken') && !isRequestId(meta.progressToken)) {
    return `${what}._meta.progressToken is neither a string nor a safe integer`;
  }
  if (has(meta, RELATED_TASK)) {
    const task = meta[RELATED_TASK];
    if (!isObject(task) || typeof task.taskId !== 'string') {
      return `${what}._meta['${RELATED_TASK}'].taskId is not a string`;
    }
  }
  return undefined;
}

function errorProblem(error: unknown): string | undefined {
  if (!isObject(error)) return 'error is not an object';
  if (!Number.isSafeInteger(error.code)) return 'error.code is not a safe integer';
  return typeof error.message === 'string' ? undefined : 'error.message is not a string';
}

function onlyKeys(value: Fields, allowed: ReadonlySet<string>): string | undefined {
  for (const key in value) {
    if (!allowed.has(key)) return `it has an unexpected member ${JSON.stringify(key)}`;
  }
  return undefined;
}

function isObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function has(value: Fields, key: string): boolean {
  return Object.hasOwn(value, key);
}

function isRequestId(value: unknown): boolean {
  return typeof value === 'string' || Number.isSafeInteger(value);
}
