import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { Upstream } from './options.js';

/** A live MCP client session with the server a broker fronts. */
export interface UpstreamConnection {
  readonly client: Client;
  /** The last lines the server wrote to stderr (stdio servers), to explain why it failed. */
  stderrTail(): string;
  /** Closes the session (and ends a stdio server); never fires `onExit`. */
  close(): Promise<void>;
}

const STDERR_TAIL_BYTES = 2048;
const CLIENT_INFO = { name: 'trustmesh-broker', version: '1.0.0' };

/**
 * Connects an SDK `Client`: stdio servers are spawned from their argument array with no shell (the
 * allowlist was checked with the options). `onExit` fires once if the connection ends on its own.
 */
export async function connectUpstream(
  upstream: Upstream,
  timeoutMs: number,
  onExit: (reason: string) => void,
): Promise<UpstreamConnection> {
  let stderr = '';
  let transport: Transport;
  if (upstream.kind === 'stdio') {
    const stdio = new StdioClientTransport({
      command: upstream.command,
      args: [...(upstream.args ?? [])],
      env: upstream.env === undefined ? undefined : { ...upstream.env },
      cwd: upstream.cwd,
      stderr: 'pipe',
    });
    stdio.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_TAIL_BYTES);
    });
    transport = stdio;
  } else {
    transport = new StreamableHTTPClientTransport(new URL(upstream.url), {
      requestInit: { headers: { ...upstream.headers } },
    });
  }
  const client = new Client(CLIENT_INFO, { capabilities: {} });
  let closing = false;
  const stderrTail = () => stderr.trim().split('\n').slice(-5).join('\n');
  client.onclose = () => {
    if (closing) return;
    closing = true;
    const tail = stderrTail();
    onExit(tail === '' ? 'the server closed the connection' : `the server exited; it said: ${tail}`);
  };
  const connection: UpstreamConnection = {
    client,
    stderrTail,
    close: async () => {
      closing = true;
      await client.close().catch(() => undefined);
    },
  };
  try {
    await client.connect(transport, { timeout: timeoutMs });
  } catch (err) {
    await connection.close();
    throw err;
  }
  return connection;
}
