import type { JsonWebKey } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Command } from 'commander';
import { decodeJwt } from 'jose';
import {
  openControlBuckets,
  type SessionDescriptor,
  SessionDescriptorSchema,
} from '../actors/control/index.js';
import { openSessionUsers, sessionUserOf } from '../actors/node/index.js';
import { TrustmeshError } from '../errors.js';
import { KvRevocationList, RevocationKind } from '../pki/revocation/index.js';
import { readSessionFile, type SessionFile } from '../pki/session-file.js';
import { jwkThumbprint } from '../transport/envelope/jwk.js';
import { localNatsAuthority } from './mesh-connection.js';
import { type OperatorFlags, runOperator, withOperatorFlags } from './operator.js';
import { meshGrant, writeSessionCredentials } from './session-credentials.js';
import { formatInstant } from './table.js';

interface RenewFlags extends OperatorFlags {
  session?: string;
  out?: string;
}

/** States whose credentials may be renewed; a suspended session must be resumed by an operator first. */
const RENEWABLE: ReadonlySet<string> = new Set(['active', 'scrutinised', 'readOnly']);

export class SessionRenewError extends TrustmeshError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_SESSION_RENEW', message, options);
  }
}

/** `trustmesh session renew <sid>`: new token and NATS user for a live session, same agent key. */
export function registerRenewCommand(session: Command): void {
  withOperatorFlags(session.command('renew'))
    .description(
      'Give a live session new credentials (session token, NATS user) after an operator resumed it; the old ones stay revoked.',
    )
    .argument('<sid>', 'session id (see trustmesh sessions list)')
    .option('--session <file>', 'the session file to renew (default: <dir>/agent-sessions/<sid>.json)')
    .option('--out <file>', 'where to write the renewed session file (default: replace --session)')
    .addHelpText(
      'after',
      '\nThe agent key stays the same (kill the session instead if it leaked); the token carries what the\n' +
        'mesh policy grants now. The old token is revoked; in operator mode the old NATS user must be\n' +
        'revoked already (suspend does it), so two sets of credentials are never valid at once.\n' +
        'Example:\n  trustmesh sessions resume s3q2Vb9kXoV1yTf0Wc8mJwA && trustmesh session renew s3q2Vb9kXoV1yTf0Wc8mJwA\n' +
        "  # then restart the agent's bridge so it reads the renewed file",
    )
    .action((sid: string, flags: RenewFlags) =>
      runOperator(flags, { sid }, async ({ control, mesh, nc, out }) => {
        const from = resolve(flags.session ?? join(flags.dir, 'agent-sessions', `${sid}.json`));
        const path = resolve(flags.out ?? from);
        const [descriptor, { state }, file] = await Promise.all([
          registered(nc, sid),
          control.inspect(sid),
          readSessionFile(from),
        ]);
        if (!RENEWABLE.has(state)) {
          throw new SessionRenewError(
            `session ${sid} is ${state}; only a live session gets new credentials. ` +
              (state === 'suspended'
                ? `Resume it first: 'trustmesh sessions resume ${sid}'.`
                : 'Create a new session.'),
          );
        }
        checkBelongs(file, descriptor, from);
        await retireOld(flags.dir, nc, file, sid);
        const grant = await meshGrant(nc, descriptor.purpose, descriptor.principal);
        const { natsUser } = await writeSessionCredentials({
          dir: flags.dir,
          nc,
          mesh,
          descriptor,
          grant,
          agentKey: file.agentKey,
          meshKeys: file.meshKeys,
          path,
        });
        out.result(
          `renewed session ${sid} (${state}, until ${formatInstant(descriptor.expiresAt)}): new token` +
            `${natsUser ? ' and NATS user' : ''} in ${path}. Restart the agent's bridge so it reads them.`,
          {
            ok: true,
            sid,
            state,
            sessionFile: path,
            tier: grant.tier,
            tools: grant.tools,
            natsUser: natsUser ?? null,
          },
        );
      }),
    );
}

async function registered(nc: NatsConnection, sid: string): Promise<SessionDescriptor> {
  const { sessions } = await openControlBuckets(nc);
  const entry = await sessions.get(sid);
  const parsed = entry?.operation === 'PUT' ? SessionDescriptorSchema.safeParse(entry.json()) : undefined;
  if (!parsed?.success) {
    throw new SessionRenewError(
      `session ${sid} is not registered (it ended or was killed); create a new one with 'trustmesh session create'.`,
    );
  }
  return parsed.data;
}

/** The file must be this session's, holding the agent key the session was registered with. */
function checkBelongs(file: SessionFile, descriptor: SessionDescriptor, path: string): void {
  if (
    file.sessionId !== descriptor.sid ||
    jwkThumbprint(file.agentKey) !== jwkThumbprint(descriptor.agentPublicKey as JsonWebKey)
  ) {
    throw new SessionRenewError(
      `${path} is not the session file of ${descriptor.sid} (another session or agent key); pass the right one with --session.`,
    );
  }
}

/**
 * Revokes the old token mesh-wide (a KV entry, safe from any host). The old NATS user is revoked only
 * by the node that hosts the authority's revocation list in memory (on suspend): a second writer would
 * be overwritten by its next push, so renewing refuses while that user is still valid.
 */
async function retireOld(dir: string, nc: NatsConnection, file: SessionFile, sid: string): Promise<void> {
  const authority = await localNatsAuthority(dir);
  const user = authority ? await sessionUserOf(await openSessionUsers(nc), sid) : undefined;
  if (authority && user !== undefined && authority.revocations()[user] === undefined) {
    throw new SessionRenewError(
      `session ${sid}'s NATS user ${user} is still valid; suspend the session first ('trustmesh sessions suspend ${sid}'), ` +
        'which revokes it, then resume and renew.',
    );
  }
  const revocations = await KvRevocationList.open(nc);
  try {
    const { jti } = decodeJwt(file.token);
    if (jti && !revocations.isRevoked(jti)) {
      await revocations.revoke({ kind: RevocationKind.Token, id: jti, reason: `session ${sid} renewed` });
    }
  } finally {
    await revocations.close();
  }
}
