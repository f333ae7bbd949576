import { randomUUID } from 'node:crypto';
import { EventEmitter, once, setMaxListeners } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { createEchoServer } from '../../test/fixtures/echo-server.js';
import { ECHO_TEXT } from '../runner/payload.js';
import type { RoundTripFigures, RoundTripOptions } from '../runner/round-trip.js';
import { measureRoundTrip } from '../runner/round-trip.js';

/**
 * Baseline: an MCP `tools/call` of the echo tool over the SDK's Streamable HTTP transport, stateful
 * session, client and server in this process on 127.0.0.1 — plain MCP as the SDK ships it. The
 * server is the project's echo fixture, the same code the NATS transport bench calls.
 */
export async function benchMcpHttp(options: RoundTripOptions): Promise<RoundTripFigures> {
  const sessions = new Map<string, StreamableHTTPServerTransport>();
  const http = createServer((req, res) => {
    route(sessions, req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(error));
    });
  });
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  const { port } = http.address() as AddressInfo;
  const client = new Client({ name: 'bench-client', version: '1.0.0' });
  try {
    await connectUnwarned(client, new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`)));
    const call = async (): Promise<void> => {
      const result = await client.callTool({ name: 'echo', arguments: { text: ECHO_TEXT } });
      if (result.isError) throw new Error(`echo tool failed: ${JSON.stringify(result.content)}`);
    };
    return await measureRoundTrip(call, options);
  } finally {
    await client.close();
    await Promise.all([...sessions.values()].map((transport) => transport.close()));
    http.closeAllConnections();
    http.close();
  }
}

/**
 * The SDK client passes one AbortSignal to every fetch, and Node's fetch lets go of its abort listener
 * only when the request is garbage-collected, so at 64 in flight the signal passes fetch's limit of
 * 1500 listeners and Node prints a warning per request. The signal is created in `connect()`; creating
 * it with no limit keeps the output readable without changing what the SDK does on the wire.
 */
async function connectUnwarned(client: Client, transport: StreamableHTTPClientTransport): Promise<void> {
  const previous = EventEmitter.defaultMaxListeners;
  setMaxListeners(0);
  try {
    await client.connect(transport);
  } finally {
    setMaxListeners(previous);
  }
}

/** One transport per session: requests carrying a session id go to it, the rest start a new one. */
async function route(
  sessions: Map<string, StreamableHTTPServerTransport>,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const sessionId = req.headers['mcp-session-id'];
  if (typeof sessionId === 'string') {
    const transport = sessions.get(sessionId);
    if (transport) return transport.handleRequest(req, res);
    res.writeHead(404).end('unknown MCP session');
    return;
  }
  const transport = new StreamableHTTPServerTransport({
    sessionIdGenerator: () => randomUUID(),
    onsessioninitialized: (id) => {
      sessions.set(id, transport);
    },
  });
  await createEchoServer().connect(transport);
  await transport.handleRequest(req, res);
}
