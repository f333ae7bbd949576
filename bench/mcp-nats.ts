import { createEchoServer } from '../test/fixtures/echo-server.js';
import { wire } from '../test/support/wire.js';
import { ECHO_TEXT } from './runner/payload.js';
import type { RoundTripFigures, RoundTripOptions } from './runner/round-trip.js';
import { measureRoundTrip } from './runner/round-trip.js';

export interface McpNatsOptions extends RoundTripOptions {
  /** nats-server to measure against. */
  url: string;
}

/**
 * Subject: an MCP `tools/call` of the echo tool over trustmesh's NATS transport — SDK `Client` and
 * `McpServer` in this process, agent and mesh on separate connections with their own keys, every
 * message sealed on the session channel — wired exactly as the integration tests wire it.
 */
export async function benchMcpNats(options: McpNatsOptions): Promise<RoundTripFigures> {
  const wired = await wire('nats', createEchoServer(), { url: options.url });
  try {
    const call = async (): Promise<void> => {
      const result = await wired.client.callTool({ name: 'echo', arguments: { text: ECHO_TEXT } });
      if (result.isError) throw new Error(`echo tool failed: ${JSON.stringify(result.content)}`);
    };
    return await measureRoundTrip(call, options);
  } finally {
    await wired.close();
  }
}
