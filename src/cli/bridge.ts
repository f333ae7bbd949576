import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { connect, credsAuthenticator } from '@nats-io/transport-node';
import type { Command } from 'commander';
import { readSessionFile } from '../pki/session-file.js';
import { withSessionToken } from '../pki/tokens/index.js';
import {
  importSigningKey,
  importVerifyingKey,
  KeyRing,
  NatsClientTransport,
  sessionConnectOptions,
} from '../transport/index.js';

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
      await runBridge(options.session);
    });
}

async function runBridge(sessionPath: string): Promise<void> {
  const session = await readSessionFile(sessionPath);
  const trust = new KeyRing();
  for (const jwk of session.meshKeys) trust.add(importVerifyingKey(jwk));
  const connection = await connect({
    servers: session.natsUrl,
    name: `trustmesh-bridge-${session.sessionId}`,
    ...(session.natsCreds
      ? { authenticator: credsAuthenticator(new TextEncoder().encode(session.natsCreds)) }
      : {}),
    ...sessionConnectOptions(session.prefix, session.sessionId),
  });
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
  stdio.onmessage = (message) => void mesh.send(message).catch((err) => report(err));
  mesh.onerror = report;
  stdio.onerror = report;

  await mesh.start();
  await stdio.start();
  await done;
  await Promise.allSettled([mesh.close(), stdio.close()]);
  if (!connection.isClosed()) await connection.close();
}

function report(err: Error): void {
  process.stderr.write(`trustmesh bridge: ${err.message}\n`);
}
