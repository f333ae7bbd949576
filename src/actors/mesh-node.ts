import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { NatsConnection } from '@nats-io/transport-node';
import type { SessionDescriptor } from '../pki/session-file.js';
import { importVerifyingKey, KeyRing, NatsServerTransport, type SigningKey } from '../transport/index.js';

export interface MeshNodeOptions {
  connection: NatsConnection;
  /** The node's identity key: agents accept a channel only from keys their session file trusts. */
  identity: SigningKey;
  /** @default 'tm' */
  prefix?: string;
  /** Builds the MCP server a session is served by (one instance per session). */
  serverFactory: () => McpServer;
}

/**
 * Hosts sessions on one mesh node: each session gets its own MCP server instance behind its own
 * NATS transport, reachable only on that session's subjects and only by the agent key it names.
 */
export class MeshNode {
  readonly #options: MeshNodeOptions;
  readonly #servers = new Map<string, McpServer>();

  constructor(options: MeshNodeOptions) {
    this.#options = options;
  }

  get sessionCount(): number {
    return this.#servers.size;
  }

  async serve(session: SessionDescriptor): Promise<void> {
    if (this.#servers.has(session.sessionId)) return;
    const trust = new KeyRing();
    trust.add(importVerifyingKey(session.agentPublicKey));
    const transport = new NatsServerTransport({
      nc: this.#options.connection,
      sid: session.sessionId,
      prefix: this.#options.prefix,
      identity: this.#options.identity,
      trust,
    });
    const server = this.#options.serverFactory();
    this.#servers.set(session.sessionId, server);
    await server.connect(transport);
  }

  async close(): Promise<void> {
    const servers = [...this.#servers.values()];
    this.#servers.clear();
    await Promise.allSettled(servers.map((s) => s.close()));
  }
}
