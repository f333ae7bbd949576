import type { JsonWebKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { TrustmeshError } from '../errors.js';
import { writeSecretFile } from './key-store.js';
import type { ClientTlsMaterial } from './tls/client.js';

/** Everything an agent needs to reach its session: where, which session, its own key, whom to trust. */
export interface SessionFile {
  version: 1;
  sessionId: string;
  /** Subject prefix of the mesh. */
  prefix: string;
  natsUrl: string;
  /** The agent's private key; envelopes and the channel handshake are signed with it. */
  agentKey: JsonWebKey;
  /** Public keys of the mesh nodes the agent accepts a channel from. */
  meshKeys: JsonWebKey[];
  /** The session token (JWT) bound to `agentKey`; every request carries it (`withSessionToken`). */
  token: string;
  /** The session's own NATS user (`.creds` text) on a mesh in operator mode; absent on an open server. */
  natsCreds?: string;
  /** The agent's client certificate (kind `agent`, as long-lived as the session), key and the mesh root, on a mesh that runs mutual TLS. */
  tls?: ClientTlsMaterial;
}

export class SessionFileError extends TrustmeshError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_SESSION_FILE', message, options);
  }
}

export async function writeSessionFile(path: string, file: SessionFile): Promise<void> {
  await writeSecretFile(path, `${JSON.stringify(file, null, 2)}\n`);
}

export async function readSessionFile(path: string): Promise<SessionFile> {
  const parsed = await readJson(path);
  const ok =
    parsed?.version === 1 &&
    typeof parsed.sessionId === 'string' &&
    typeof parsed.prefix === 'string' &&
    typeof parsed.natsUrl === 'string' &&
    typeof parsed.agentKey?.d === 'string' &&
    Array.isArray(parsed.meshKeys) &&
    typeof parsed.token === 'string' &&
    (parsed.natsCreds === undefined || typeof parsed.natsCreds === 'string') &&
    (parsed.tls === undefined ||
      ['caPem', 'chainPem', 'keyPem'].every((key) => typeof parsed.tls?.[key] === 'string'));
  if (!ok)
    throw new SessionFileError(
      `${path} is not a trustmesh session file (or one from before session tokens); create one with 'trustmesh session create' or 'trustmesh up'.`,
    );
  return parsed as SessionFile;
}

// biome-ignore lint/suspicious/noExplicitAny: validated field by field by the callers above
async function readJson(path: string): Promise<any> {
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch (cause) {
    throw new SessionFileError(`Cannot read ${path} as JSON; check the path or recreate the file.`, {
      cause,
    });
  }
}
