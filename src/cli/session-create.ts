import type { JsonWebKey } from 'node:crypto';
import { access, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { ControlError, ControlErrorCode, type MeshControl } from '../actors/control/index.js';
import { nodeStatePaths } from '../actors/node/index.js';
import { TrustmeshError } from '../errors.js';
import { newPrivateJwk, publicJwkOf } from '../pki/key-store.js';
import { newSessionId } from '../transport/index.js';
import { selfCommand, shellQuote } from './child.js';
import { formatDuration, parseDuration } from './duration.js';
import { type OperatorFlags, runOperator, withOperatorFlags } from './operator.js';
import { meshGrant, writeSessionCredentials } from './session-credentials.js';
import { registerRenewCommand } from './session-renew.js';
import { formatInstant } from './table.js';

interface CreateFlags extends OperatorFlags {
  purpose: string;
  user: string;
  ttl: number;
  wait: number;
  out?: string;
  meshKey?: string[];
}

/** How often `session create` asks whether a node serves the new session yet. */
const POLL_MS = 100;

export class SessionCreateError extends TrustmeshError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_SESSION_CREATE', message, options);
  }
}

/** `trustmesh session create`: a new agent key, a registered session, and the file the bridge reads. */
export function registerSessionCommands(program: Command): void {
  const session = program
    .command('session')
    .description('Create agent sessions and renew their credentials (see trustmesh sessions for live ones).');
  registerRenewCommand(session);

  withOperatorFlags(session.command('create'))
    .description(
      'Register a session for a principal and purpose, and write the session file an agent connects with.',
    )
    .requiredOption('--purpose <name>', 'the policy purpose the session is granted (e.g. code-review)')
    .requiredOption('--user <principal>', 'who the agent acts for (e.g. alice@example.com)')
    .addOption(durationOption('--ttl <duration>', 'how long the session lives: 90s, 30m, 1h, 1d2h', '1h'))
    .addOption(durationOption('--wait <duration>', 'how long to wait for a mesh node to serve it', '15s'))
    .option('--out <file>', 'where to write the session file (default: <dir>/agent-sessions/<sid>.json)')
    .option(
      '--mesh-key <file>',
      'JWK of a mesh node the agent trusts; repeat for several (default: <dir>/keys/mesh-node.jwk)',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .addHelpText(
      'after',
      "\nThe session file (mode 0600) holds the agent's private key: hand it only to that agent.\n" +
        'The agent trusts the node keys given with --mesh-key; without it, the identity key of the local\n' +
        'mesh node in <dir>/keys/mesh-node.jwk (public half only) is used.\n' +
        'Example:\n  trustmesh session create --purpose code-review --user alice@example.com --ttl 2h\n' +
        '  # then have the MCP client launch the printed "trustmesh bridge --session FILE" line',
    )
    .action((flags: CreateFlags) =>
      runOperator(flags, {}, async ({ control, mesh, nc, out }) => {
        const sid = newSessionId();
        const path = resolve(flags.out ?? join(flags.dir, 'agent-sessions', `${sid}.json`));
        await refuseExisting(path);
        const meshKeys = await readMeshKeys(flags.meshKey ?? [nodeStatePaths(flags.dir).identity]);
        const agentKey = newPrivateJwk();
        const createdAt = Date.now();
        const descriptor = {
          sid,
          principal: flags.user,
          purpose: flags.purpose,
          agentPublicKey: publicJwkOf(agentKey) as { kty: string },
          createdAt,
          expiresAt: createdAt + flags.ttl,
        };
        // The token carries what the mesh policy grants; a purpose it cannot grant registers nothing.
        const grant = await meshGrant(nc, flags.purpose, flags.user);
        out.progress(`registering session ${sid} (${flags.purpose} for ${flags.user})…`);
        await control.createSession(descriptor);
        await writeSessionCredentials({
          dir: flags.dir,
          nc,
          mesh,
          descriptor,
          grant,
          agentKey,
          meshKeys,
          path,
        });
        out.progress(
          `wrote ${path}; waiting up to ${formatDuration(flags.wait)} for a mesh node to serve it…`,
        );
        const state = await servedState(control, sid, flags.wait);
        if (state === undefined) {
          throw new SessionCreateError(
            `session ${sid} is registered and its file is at ${path}, but no mesh node served it within ` +
              `${formatDuration(flags.wait)}. Check that a node runs ('trustmesh node') and that its policy ` +
              `has purpose '${flags.purpose}' (the node log says why it refused); it picks the session up once it can.`,
          );
        }
        const bridge = [...selfCommand(), 'bridge', '--session', path].map(shellQuote).join(' ');
        out.result(
          [
            `session ${sid} is ${state}: ${flags.purpose} for ${flags.user}, until ${formatInstant(descriptor.expiresAt)}.`,
            `Session file (keep it private, it holds the agent key): ${path}`,
            '',
            'Connect any stdio MCP client by having it launch:',
            `  ${bridge}`,
          ].join('\n'),
          {
            ok: true,
            sid,
            state,
            sessionFile: path,
            expiresAt: descriptor.expiresAt,
            tier: grant.tier,
            tools: grant.tools,
            bridge: [...selfCommand(), 'bridge', '--session', path],
          },
        );
      }),
    );
}

function durationOption(flags: string, description: string, fallback: string): Option {
  return new Option(flags, description).argParser(parseDuration).default(parseDuration(fallback), fallback);
}

async function refuseExisting(path: string): Promise<void> {
  const exists = await access(path).then(
    () => true,
    () => false,
  );
  if (exists) {
    throw new SessionCreateError(
      `${path} already exists and may hold another session's key; choose another --out or delete it first.`,
    );
  }
}

/** The public halves of the node keys in `paths` (a private JWK is accepted; its `d` never leaves). */
async function readMeshKeys(paths: readonly string[]): Promise<JsonWebKey[]> {
  return Promise.all(
    paths.map(async (path) => {
      let jwk: JsonWebKey;
      try {
        jwk = JSON.parse(await readFile(path, 'utf8')) as JsonWebKey;
      } catch (cause) {
        throw new SessionCreateError(
          `cannot read the mesh node key ${path}. Start the local mesh ('trustmesh up' or 'trustmesh node --dir …') ` +
            'so the node creates it, or pass --mesh-key <file> with the public JWK of each node.',
          { cause },
        );
      }
      if (typeof jwk.kty !== 'string' || typeof jwk.x !== 'string') {
        throw new SessionCreateError(`${path} is not a JWK public key; pass the node's identity key file.`);
      }
      return publicJwkOf(jwk);
    }),
  );
}

/** The session's state once a node serves it, or undefined when none did within `waitMs`. */
async function servedState(control: MeshControl, sid: string, waitMs: number): Promise<string | undefined> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      return (await control.inspect(sid)).state;
    } catch (err) {
      const notYet =
        err instanceof ControlError &&
        (err.code === ControlErrorCode.UnknownSession || err.code === ControlErrorCode.Unavailable);
      if (!notYet) throw err;
    }
    if (Date.now() + POLL_MS > deadline) return undefined;
    await new Promise((wake) => setTimeout(wake, POLL_MS));
  }
}
