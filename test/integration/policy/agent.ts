import { readFile } from 'node:fs/promises';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { connect } from '@nats-io/transport-node';
import { onTestFinished } from 'vitest';
import { MeshControl } from '../../../src/actors/control/index.js';
import { loadNodeState, nodeStatePaths, sessionTokenIssuer } from '../../../src/actors/node/index.js';
import type { DenialData } from '../../../src/actors/session/index.js';
import { meshGrant } from '../../../src/cli/session-credentials.js';
import { publicJwkOf } from '../../../src/pki/key-store.js';
import { withSessionToken } from '../../../src/pki/tokens/index.js';
import {
  generateKeyPair,
  importVerifyingKey,
  KeyRing,
  NatsClientTransport,
  newSessionId,
  sessionConnectOptions,
} from '../../../src/transport/index.js';

/** A registered session and the agent connected to it, whichever node hosts it. */
export interface Agent {
  sid: string;
  client: Client;
}

/**
 * Registers a session, waits until a node hosts it (`hosted`), and connects an SDK client to it
 * (nodes sharing `dir` share keys, so the agent trusts whichever hosts it).
 */
export async function agentOn(
  url: string,
  prefix: string,
  dir: string,
  purpose: string,
  hosted: (sid: string) => boolean,
): Promise<Agent> {
  const operator = await connect({ servers: url });
  onTestFinished(() => operator.close());
  const sid = newSessionId();
  const keys = generateKeyPair('ed25519');
  const now = Date.now();
  const control = new MeshControl({ nc: operator, prefix });
  await control.createSession({
    sid,
    principal: 'alice@example.com',
    purpose,
    agentPublicKey: keys.publicJwk as { kty: string },
    createdAt: now,
    expiresAt: now + 600_000,
  });
  const { tokenKey } = await loadNodeState(dir);
  const { token } = await sessionTokenIssuer(tokenKey).issue({
    sessionId: sid,
    principal: 'alice@example.com',
    purpose,
    // What the mesh policy grants now, as 'trustmesh session create' issues it.
    ...(await meshGrant(operator, purpose, 'alice@example.com')),
    agentKey: keys.publicJwk,
  });
  const meshKey = importVerifyingKey(
    publicJwkOf(JSON.parse(await readFile(nodeStatePaths(dir).identity, 'utf8'))),
  );
  const nc = await connect({ servers: url, ...sessionConnectOptions(prefix, sid) });
  onTestFinished(() => nc.close());
  await eventually(async () => hosted(sid));
  const client = new Client({ name: 'agent', version: '1.0.0' });
  const transport = new NatsClientTransport({
    nc,
    sid,
    prefix,
    identity: keys.signingKey,
    trust: new KeyRing([meshKey]),
  });
  await client.connect(withSessionToken(transport, token));
  return { sid, client };
}

/** Re-checks a condition the mesh reaches asynchronously; fails after `timeoutMs`. */
async function eventually(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline)
      throw new Error(`the mesh did not reach the expected state within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The denial data of a call that policy refuses. */
export async function denial(client: Client, tool: string): Promise<DenialData> {
  const err = await client.callTool({ name: tool, arguments: { repo: 'acme/api', number: 1 } }).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof McpError)) throw new Error(`${tool} was not denied: ${String(err)}`);
  return err.data as DenialData;
}
