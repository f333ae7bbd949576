import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { connect, credsAuthenticator } from '@nats-io/transport-node';
import { context } from '@opentelemetry/api';
import type { Command } from 'commander';
import { TrustmeshError } from '../errors.js';
import { readSessionFile, type SessionFile } from '../pki/session-file.js';
import { natsClientTls } from '../pki/tls/index.js';
import { withSessionToken } from '../pki/tokens/index.js';
import { contextFromMeta } from '../telemetry/index.js';
import {
  importSigningKey,
  importVerifyingKey,
  KeyRing,
  NatsClientTransport,
  sessionConnectOptions,
} from '../transport/index.js';
import { withTelemetry } from './telemetry.js';

export function registerBridgeCommand(program: Command): void {
  program
    .command('bridge')
    .description('Serve MCP on stdio and forward every message to a trustmesh session over NATS.')
    .requiredOption(
      '--session <file>',
      "session file written by 'trustmesh up' or 'trustmesh session create'",
    )
    .addHelpText(
      'after',
      '\nAny stdio MCP client can launch it. stdout carries MCP only; diagnostics go to stderr.\n' +
        'Example:\n  npx @modelcontextprotocol/inspector --cli trustmesh bridge --session .trustmesh/demo-session.json --method tools/list',
    )
    .action(async (options: { session: string }) => {
      await withTelemetry('trustmesh-bridge', () => runBridge(options.session));
    });
}

async function runBridge(sessionPath: string): Promise<void> {
  const session = await readSessionFile(sessionPath);
  const trust = new KeyRing();
  for (const jwk of session.meshKeys) trust.add(importVerifyingKey(jwk));
  const connection = await connectSession(session, sessionPath);
  // Every request the stdio client sends leaves with the session token the mesh checks on each call.
  const mesh = withSessionToken(
    new NatsClientTransport({
      nc: connection,
      sid: session.sessionId,
      prefix: session.prefix,
      identity: importSigningKey(session.agentKey),
      trust,
    }),
    session.token,
  );
  const stdio = new StdioServerTransport();

  const done = new Promise<void>((resolve) => {
    mesh.onclose = resolve;
    stdio.onclose = resolve;
  });
  mesh.onmessage = (message) => void stdio.send(message);
  // An instrumented MCP client's trace context (params._meta.traceparent) is continued over the mesh.
  stdio.onmessage = (message) =>
    void context.with(contextFromMeta(metaOf(message)), () => mesh.send(message)).catch((err) => report(err));
  mesh.onerror = report;
  stdio.onerror = report;

  await mesh.start();
  await stdio.start();
  await done;
  await Promise.allSettled([mesh.close(), stdio.close()]);
  if (!connection.isClosed()) await connection.close();
}

export class BridgeConnectError extends TrustmeshError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_BRIDGE_CONNECT', message, options);
  }
}

/** Connects as the session: its own NATS user and, on a mesh that runs mutual TLS, its own client certificate. */
async function connectSession(session: SessionFile, path: string) {
  try {
    return await connect({
      servers: session.natsUrl,
      name: `trustmesh-bridge-${session.sessionId}`,
      ...(session.natsCreds
        ? { authenticator: credsAuthenticator(new TextEncoder().encode(session.natsCreds)) }
        : {}),
      ...(session.tls ? { tls: natsClientTls(session.tls) } : {}),
      ...sessionConnectOptions(session.prefix, session.sessionId),
    });
  } catch (cause) {
    const why = session.tls
      ? 'Check that the mesh runs and the session has not expired'
      : `${path} holds no client certificate, and a mesh that runs mutual TLS refuses a connection without one ` +
        "(session files from before mutual TLS have none): create a new session with 'trustmesh session create'";
    throw new BridgeConnectError(
      `cannot connect to session ${session.sessionId} at ${session.natsUrl} (${(cause as Error).message}). ${why}.`,
      { cause },
    );
  }
}

function metaOf(message: JSONRPCMessage): unknown {
  return 'params' in message ? message.params?._meta : undefined;
}

function report(err: Error): void {
  process.stderr.write(`trustmesh bridge: ${err.message}\n`);
}
