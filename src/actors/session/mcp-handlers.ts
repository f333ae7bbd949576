import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  type CallToolResult,
  GetPromptRequestSchema,
  type GetPromptResult,
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
  readonly path: CallPath;
}

/**
 * The session's MCP surface. `tools/list` is answered here (filtered to the grant and the state);
 * `tools/call`, `resources/read` and `prompts/get` go through the call path; every other method is
 * decided by the same policy, which denies what no purpose grants.
 */
export function registerMcpHandlers(server: Server, deps: HandlerDeps): void {
  const { path, policy } = deps;
  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: await deps.listTools() }));

  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    const { name, arguments: args = {} } = request.params;
    const target = splitKey(name);
    return (await path.mediate({
      method: CapabilityMethod.ToolsCall,
      server: target?.server ?? '',
      name: target?.name ?? name,
      key: name,
      effect: policy().catalogue.get(name)?.effect ?? Effect.Admin,
      args,
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

  // Everything else is decided by policy too: nothing reaches a server just because it is unlisted.
  server.fallbackRequestHandler = async (request) => {
    const params = (request.params ?? {}) as Record<string, unknown>;
    const owner = onlyServerGranting(policy(), request.method);
    return path.mediate(methodRequest(owner, request.method, request.method, params)) as never;
  };
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
