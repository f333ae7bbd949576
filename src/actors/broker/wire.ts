import { Packr } from 'msgpackr';
import type { ToolsDiff } from '../../../statecharts/index.js';
import { CapabilityMethod } from '../capability/index.js';
import type { ToolDefinition } from './catalogue.js';
import { BrokerError, BrokerErrorCode } from './errors.js';

/** A call as the session actor sends it: the capability it minted and the MCP request, unchanged. */
export interface BrokerRequest {
  readonly capability: Uint8Array;
  readonly method: CapabilityMethod;
  /**
   * `tools/call` and `prompts/get`: `{ name: '<server>.<name>', arguments }`; `resources/read`: `{ uri }`;
   * the list methods: `{}`.
   */
  readonly params: Readonly<Record<string, unknown>>;
}

/** The MCP result, or a typed refusal; never a raw local error. */
export type BrokerResponse =
  | { readonly result: Readonly<Record<string, unknown>> }
  | { readonly error: { readonly code: string; readonly message: string } };

/** A tool as sessions see it: the same fields as its definition, with a qualified name and a sanitised description. */
export type CatalogueTool = ToolDefinition;

/** Why calls are refused until an operator approves. */
export interface QuarantineReport {
  /** No definitions of this server were ever approved (the diff then lists every tool as added). */
  readonly neverApproved: boolean;
  readonly diff: ToolsDiff;
  readonly flagged: readonly { readonly tool: string; readonly markers: readonly string[] }[];
}

/** The answer on `<prefix>.tool.<server>.list`. */
export interface BrokerCatalogue {
  readonly server: string;
  /** The broker statechart state; calls are served only in `ready`. */
  readonly state: string;
  /** Hash of the approved set, or null before anything was approved. */
  readonly pinnedSetHash: string | null;
  /** Hash of what the server lists now: what `approve` would pin. */
  readonly listedSetHash: string | null;
  readonly approvedAt: number | null;
  readonly approvedBy: string | null;
  readonly quarantine: QuarantineReport | null;
  /** The approved tools, sanitised. */
  readonly tools: readonly CatalogueTool[];
}

export interface BrokerSubjects {
  /** Calls: `<prefix>.tool.<server>.call`. */
  readonly call: string;
  /** Catalogue: `<prefix>.tool.<server>.list`. */
  readonly list: string;
  /** State and pinned-set changes, announced to mesh nodes: `<prefix>.tool.<server>.changed`. */
  readonly changed: string;
  /** The queue group every replica of the server joins. */
  readonly queue: string;
}

export function brokerSubjects(prefix: string, server: string): BrokerSubjects {
  const root = `${prefix}.tool.${server}`;
  return { call: `${root}.call`, list: `${root}.list`, changed: `${root}.changed`, queue: root };
}

/** What a request asks of the server, and what its capability must be bound to. */
export interface CallTarget {
  readonly method: CapabilityMethod;
  /** Tool or prompt name without the `server.` prefix, or the resource URI. */
  readonly tool: string;
  readonly args: Readonly<Record<string, unknown>>;
  /** The params sent upstream (names unqualified). */
  readonly upstreamParams: Readonly<Record<string, unknown>>;
}

const METHODS: ReadonlySet<string> = new Set(Object.values(CapabilityMethod));
/** Methods that list what a server offers; their capability binds the method and no arguments. */
export const LIST_METHODS: ReadonlySet<CapabilityMethod> = new Set([
  CapabilityMethod.ResourcesList,
  CapabilityMethod.ResourceTemplatesList,
  CapabilityMethod.PromptsList,
]);

// Plain MessagePack only: no records, bundled strings or extension types.
export const packr = new Packr({
  useRecords: false,
  structuredClone: false,
  bundleStrings: false,
  moreTypes: false,
});

export function encodeBrokerRequest(request: BrokerRequest): Uint8Array {
  return Uint8Array.from(packr.pack(request));
}

export function decodeBrokerRequest(bytes: Uint8Array): BrokerRequest {
  const value = unpack(bytes, BrokerErrorCode.BadRequest);
  if (!isRecord(value) || !(value.capability instanceof Uint8Array)) {
    throw badRequest('the request is not { capability, method, params } with the capability as bytes');
  }
  if (typeof value.method !== 'string' || !METHODS.has(value.method)) {
    throw badRequest(`method must be one of ${[...METHODS].join(', ')}`);
  }
  if (!isRecord(value.params)) throw badRequest('params must be an object');
  return { capability: value.capability, method: value.method as CapabilityMethod, params: value.params };
}

/** A decoded response body, checked for shape: `{ result }` or `{ error: { code, message } }`. */
export function brokerResponseOf(value: unknown): BrokerResponse {
  if (isRecord(value) && isRecord(value.result)) return { result: value.result };
  if (
    isRecord(value) &&
    isRecord(value.error) &&
    typeof value.error.code === 'string' &&
    typeof value.error.message === 'string'
  ) {
    return { error: { code: value.error.code, message: value.error.message } };
  }
  throw new BrokerError(BrokerErrorCode.BadResponse, 'The broker answered neither { result } nor { error }.');
}

export function encodeCatalogue(catalogue: BrokerCatalogue): Uint8Array {
  return Uint8Array.from(packr.pack(catalogue));
}

/** Decodes a catalogue answer (trusted: it comes from a broker on the mesh's own subjects). */
export function decodeCatalogue(bytes: Uint8Array): BrokerCatalogue {
  const value = unpack(bytes, BrokerErrorCode.BadResponse);
  if (!isRecord(value) || !Array.isArray(value.tools) || typeof value.server !== 'string') {
    throw new BrokerError(
      BrokerErrorCode.BadResponse,
      'The broker catalogue is not { server, state, tools, … }.',
    );
  }
  return value as unknown as BrokerCatalogue;
}

/** Resolves a request's target; a name outside `<server>.` is unknown to this broker. */
export function callTarget(server: string, request: Pick<BrokerRequest, 'method' | 'params'>): CallTarget {
  const { method, params } = request;
  // Lists page through the whole server on the broker's side: no agent cursor reaches it.
  if (LIST_METHODS.has(method)) return { method, tool: method, args: {}, upstreamParams: {} };
  if (method === CapabilityMethod.ResourcesRead) {
    if (typeof params.uri !== 'string' || params.uri.length === 0)
      throw badRequest('resources/read needs a uri');
    return { method, tool: params.uri, args: {}, upstreamParams: { uri: params.uri } };
  }
  if (typeof params.name !== 'string') throw badRequest(`${method} needs a name`);
  const args = params.arguments ?? {};
  if (!isRecord(args)) throw badRequest('arguments must be an object');
  const prefix = `${server}.`;
  const tool = params.name.startsWith(prefix) ? params.name.slice(prefix.length) : '';
  if (tool === '') {
    throw new BrokerError(
      BrokerErrorCode.UnknownTool,
      `${JSON.stringify(params.name)} is not served by broker ${JSON.stringify(server)}, which serves only ${prefix}<name>; list the catalogue for the names it offers.`,
    );
  }
  return { method, tool, args, upstreamParams: { name: tool, arguments: args } };
}

export function unpack(bytes: Uint8Array, code: BrokerErrorCode): unknown {
  try {
    return packr.unpack(bytes);
  } catch (cause) {
    throw new BrokerError(code, 'The message is not valid MessagePack; send an encoded broker message.', {
      cause,
    });
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function badRequest(problem: string): BrokerError {
  return new BrokerError(BrokerErrorCode.BadRequest, `Bad broker request: ${problem}.`);
}
