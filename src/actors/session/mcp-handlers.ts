import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  type CallToolResult,
  GetPromptRequestSchema,
  type GetPromptResult,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  ReadResourceRequestSchema,
  type ReadResourceResult,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { Effect, GRANTABLE_METHODS, type PolicyBundle } from '../../policy/index.js';
import { CapabilityMethod } from '../capability/index.js';
import type { CallPath, MediatedRequest } from './call-path.js';
import { jsonBytes, splitKey } from './forward.js';

export interface HandlerDeps {
  readonly policy: () => PolicyBundle;
  readonly listTools: () => Promise<Tool[]>;
  /** The servers on which the session's purpose allows `method`. */
  readonly servers: (method: string) => string[];
  readonly path: CallPath;
}

type ListMethod =
  | typeof CapabilityMethod.ResourcesList
  | typeof CapabilityMethod.ResourceTemplatesList
  | typeof CapabilityMethod.PromptsList;

/**
 * The session's MCP surface. `tools/list` is answered here (filtered to the grant and the state);
 * `tools/call`, `resources/read`, `prompts/get` and the resource and prompt lists go through the call
 * path; every other method is decided by the same policy, which denies what no purpose grants.
 */
export function registerMcpHandlers(server: Server, deps: HandlerDeps): void {
  const { path, policy } = deps;
  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: await deps.listTools() }));

  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const { name, arguments: args = {} } = request.params;
    const target = splitKey(name);
    return (await path.mediate({
      method: CapabilityMethod.ToolsCall,
      server: target?.server ?? '',
      name: target?.name ?? name,
      key: name,
      effect: policy().catalogue.get(name)?.effect ?? Effect.Admin,
      args,
      // No scopes (no verified token) grants no tool: fail closed.
      tokenTools: extra.authInfo?.scopes ?? [],
      policyCall: {
        method: 'tools/call',
        server: target?.server,
        tool: target?.name,
        args,
        bytesIn: jsonBytes(request.params),
      },
    })) as CallToolResult;
  });

  server.setRequestHandler(ReadResourceRequestSchema, async (request) => {
    const { uri } = request.params;
    const owner = onlyServerGranting(policy(), CapabilityMethod.ResourcesRead);
    return (await path.mediate(
      methodRequest(owner, CapabilityMethod.ResourcesRead, uri, request.params),
    )) as ReadResourceResult;
  });

  server.setRequestHandler(GetPromptRequestSchema, async (request) => {
    const target = splitKey(request.params.name);
    const params = { ...request.params, name: target?.name ?? request.params.name };
    return (await path.mediate(
      methodRequest(target?.server, CapabilityMethod.PromptsGet, params.name, params),
    )) as GetPromptResult;
  });

  const list = (method: ListMethod, key: string) => async (request: { params?: object }) =>
    ({ [key]: await listAcross(deps, method, key, { ...request.params }) }) as never;
  server.setRequestHandler(ListResourcesRequestSchema, list(CapabilityMethod.ResourcesList, 'resources'));
  server.setRequestHandler(
    ListResourceTemplatesRequestSchema,
    list(CapabilityMethod.ResourceTemplatesList, 'resourceTemplates'),
  );
  server.setRequestHandler(ListPromptsRequestSchema, list(CapabilityMethod.PromptsList, 'prompts'));

  // Everything else is decided by policy too: nothing reaches a server just because it is unlisted.
  server.fallbackRequestHandler = async (request) => {
    const params = (request.params ?? {}) as Record<string, unknown>;
    const owner = onlyServerGranting(policy(), request.method);
    return path.mediate(methodRequest(owner, request.method, request.method, params)) as never;
  };
}

/**
 * One list, decided and forwarded per server the purpose allows it on, joined in server order. A server
 * that was denied or failed is left out; if every one was, the agent gets the first refusal. With no
 * server granted, the request is still decided, and denied, so the refusal names the rule.
 */
async function listAcross(
  deps: HandlerDeps,
  method: ListMethod,
  key: string,
  params: Record<string, unknown>,
): Promise<unknown[]> {
  const servers = deps.servers(method);
  if (servers.length === 0) {
    const result = await deps.path.mediate(methodRequest(undefined, method, method, params));
    return (result[key] as unknown[] | undefined) ?? [];
  }
  const results = await Promise.allSettled(
    servers.map((server) => deps.path.mediate(methodRequest(server, method, method, params))),
  );
  const lists = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value[key] as unknown[]] : []));
  const first = results[0];
  if (lists.length === 0 && first?.status === 'rejected') throw first.reason;
  return lists.flatMap((items) => items ?? []);
}

function methodRequest(
  server: string | undefined,
  method: string,
  name: string,
  params: Record<string, unknown>,
): MediatedRequest {
  const key = `${server ?? ''}.${method}`;
  return {
    method: method as CapabilityMethod,
    server: server ?? '',
    name,
    key,
    effect: GRANTABLE_METHODS.get(method)?.effect ?? Effect.Admin,
    args: params,
    policyCall: { method, server, args: params, bytesIn: jsonBytes(params) },
  };
}

/** A method with no server in its request goes to the one server any purpose grants it on, if unique. */
function onlyServerGranting(bundle: PolicyBundle, method: string): string | undefined {
  const servers = new Set<string>();
  for (const purpose of bundle.purposes.values()) {
    for (const [key, grant] of purpose.methods) {
      const split = splitKey(key);
      if (grant.allowed && split?.name === method) servers.add(split.server);
    }
  }
  return servers.size === 1 ? [...servers][0] : undefined;
}
