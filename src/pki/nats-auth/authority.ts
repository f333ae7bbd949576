import { join } from 'node:path';
import type { NatsConnection } from '@nats-io/transport-node';
import { DEFAULT_PREFIX } from '../../transport/subjects.js';
import { writeSecretFile } from '../key-store.js';
import { issueTrustChain, type TrustChain } from './accounts.js';
import { formatCreds } from './creds.js';
import { NatsAuthInputError } from './errors.js';
import { encodeNatsJwt } from './jwt.js';
import { decodePublicNkey, type Nkey, NkeyRole, newNkey } from './nkey.js';
import {
  type NatsAuthorityOptions,
  type ParsedNatsAuthorityOptions,
  parseNatsAuthorityOptions,
} from './options.js';
import {
  brokerPermissions,
  claimsPusherPermissions,
  nodePermissions,
  sessionPermissions,
  type UserPermissions,
} from './permissions.js';
import { pushAccountJwt } from './push.js';
import { renderServerConfig } from './server-config.js';
import {
  type AuthorityKeys,
  loadOrCreateKeys,
  loadRevocations,
  natsAuthFiles,
  type Revocations,
  saveRevocations,
} from './state.js';
import { checkedName, checkedSession } from './validate.js';

/** One NATS user's credentials. `seed` and `creds` are secrets: write them with mode 0600 only. */
export interface IssuedUser {
  /** The user's public nkey (`U…`): what `revokeUser` takes and what nats-server logs. */
  publicKey: string;
  jwt: string;
  seed: string;
  /** `.creds` text: `credsAuthenticator(new TextEncoder().encode(creds))` or `nats --creds`. */
  creds: string;
  /** Unix milliseconds; the server refuses the user from then on. */
  expiresAt: number;
}

export interface SessionUserRequest {
  sid: string;
  /** @default 'tm' */
  prefix?: string;
  /** The session's expiry, unix milliseconds; within `maxUserTtlMs` of now. */
  expiresAt: number;
}

export interface NodeUserRequest {
  /** The node's name, one safe subject token; it names the user in server logs. */
  nodeId: string;
  /** @default 'tm' */
  prefix?: string;
  /** Unix milliseconds. @default now + maxUserTtlMs */
  expiresAt?: number;
}

export interface BrokerUserRequest {
  /** The MCP server the broker fronts, one safe subject token. */
  server: string;
  /** @default 'tm' */
  prefix?: string;
  /** Unix milliseconds. @default now + maxUserTtlMs */
  expiresAt?: number;
}

export interface ServerConfigRequest {
  /** Where nats-server's full resolver stores account JWTs; one per server. @default `<stateDir>/resolver` */
  resolverDir?: string;
}

/** Issues and revokes the NATS identities of the mesh; see docs/decisions/0006-nats-operator-mode.md. */
export interface NatsAuthority {
  readonly operatorPublicKey: string;
  readonly meshAccount: string;
  readonly systemAccount: string;
  /** The operator-mode configuration text for a nats-server (`extraConfig`), with current revocations. */
  serverConfig(request?: ServerConfigRequest): string;
  /** A session's agent user: its own subjects and inbox only, expiring with the session. */
  issueSessionUser(request: SessionUserRequest): IssuedUser;
  issueNodeUser(request: NodeUserRequest): IssuedUser;
  issueBrokerUser(request: BrokerUserRequest): IssuedUser;
  /** A system-account user that may only push account updates: open the connection `revokeUser` needs with it. */
  issueClaimsPusher(expiresAt?: number): IssuedUser;
  /**
   * Revokes a mesh user: saves the revocation, re-signs the mesh account and pushes it through `nc`
   * (a claims-pusher connection). Resolves once a server has applied it: the user's live connections
   * are closed and it can no longer connect. Rejects with `NatsClaimsPushError` if no server took it;
   * the revocation stays saved and goes out with the next push or server start.
   */
  revokeUser(publicKey: string, nc: NatsConnection): Promise<void>;
  /** User public key → unix seconds, as the mesh account JWT carries them. */
  revocations(): Readonly<Revocations>;
}

/** Loads the authority from `stateDir`, creating the operator, accounts and signing keys on first use. */
export async function createNatsAuthority(options: NatsAuthorityOptions): Promise<NatsAuthority> {
  const parsed = parseNatsAuthorityOptions(options);
  const keys = await loadOrCreateKeys(parsed.stateDir);
  const authority = new Authority(parsed, keys, await loadRevocations(parsed.stateDir));
  await authority.saveTrustChain();
  return authority;
}

class Authority implements NatsAuthority {
  readonly operatorPublicKey: string;
  readonly meshAccount: string;
  readonly systemAccount: string;
  #chain: TrustChain;
  // Revocations run one at a time: each re-signs the account from the list the previous one saved.
  #revoking: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly options: ParsedNatsAuthorityOptions,
    private readonly keys: AuthorityKeys,
    private revoked: Revocations,
  ) {
    this.operatorPublicKey = keys.operator.publicKey;
    this.meshAccount = keys.meshAccount;
    this.systemAccount = keys.systemAccount;
    this.#chain = this.#issueChain();
  }

  serverConfig(request: ServerConfigRequest = {}): string {
    const resolverDir = request.resolverDir ?? join(this.options.stateDir, 'resolver');
    return renderServerConfig(
      this.#chain,
      { mesh: this.meshAccount, system: this.systemAccount },
      resolverDir,
    );
  }

  issueSessionUser({ sid, prefix = DEFAULT_PREFIX, expiresAt }: SessionUserRequest): IssuedUser {
    const permissions = sessionPermissions(...checkedSession(prefix, sid), this.options.responseTtlMs);
    return this.#issue(
      `session:${sid}`,
      permissions,
      this.#expiry(expiresAt, true),
      this.options.sessionMaxSubscriptions,
    );
  }

  issueNodeUser({ nodeId, prefix = DEFAULT_PREFIX, expiresAt }: NodeUserRequest): IssuedUser {
    const [checkedPrefix, name] = checkedName(prefix, 'node id', nodeId);
    return this.#issue(
      `node:${name}`,
      nodePermissions(checkedPrefix, this.options.responseTtlMs),
      this.#expiry(expiresAt),
    );
  }

  issueBrokerUser({ server, prefix = DEFAULT_PREFIX, expiresAt }: BrokerUserRequest): IssuedUser {
    const [checkedPrefix, name] = checkedName(prefix, 'server name', server);
    return this.#issue(`broker:${name}`, brokerPermissions(checkedPrefix, name), this.#expiry(expiresAt));
  }

  issueClaimsPusher(expiresAt?: number): IssuedUser {
    return this.#issue(
      'claims-pusher',
      claimsPusherPermissions(),
      this.#expiry(expiresAt),
      -1,
      this.keys.systemSigning,
      this.systemAccount,
    );
  }

  revokeUser(publicKey: string, nc: NatsConnection): Promise<void> {
    decodePublicNkey(publicKey, NkeyRole.User);
    const run = this.#revoking.then(async () => {
      const now = this.options.clock();
      const oldest = Math.floor((now - this.options.maxUserTtlMs) / 1000);
      // Every JWT an old entry could match has expired (no user outlives maxUserTtlMs).
      const kept = Object.entries(this.revoked).filter(([, at]) => at >= oldest);
      this.revoked = Object.fromEntries([...kept, [publicKey, Math.floor(now / 1000)]]);
      await saveRevocations(this.options.stateDir, this.revoked);
      await this.saveTrustChain();
      await pushAccountJwt(nc, this.meshAccount, this.#chain.meshAccountJwt, this.options.pushTimeoutMs);
    });
    this.#revoking = run.catch(() => undefined);
    return run;
  }

  revocations(): Readonly<Revocations> {
    return { ...this.revoked };
  }

  /** Re-signs the trust chain from the current revocations and writes the JWT files NATS tools read. */
  async saveTrustChain(): Promise<void> {
    this.#chain = this.#issueChain();
    const files = natsAuthFiles(this.options.stateDir);
    await writeSecretFile(files.operatorJwt, `${this.#chain.operatorJwt}\n`);
    await writeSecretFile(files.meshJwt, `${this.#chain.meshAccountJwt}\n`);
    await writeSecretFile(files.systemJwt, `${this.#chain.systemAccountJwt}\n`);
  }

  #issueChain(): TrustChain {
    return issueTrustChain(this.keys, this.revoked, this.options.jetstream, this.options.clock);
  }

  #expiry(expiresAt: number | undefined, required = false): number {
    const now = this.options.clock();
    if (expiresAt === undefined && !required) return now + this.options.maxUserTtlMs;
    if (typeof expiresAt !== 'number' || !Number.isFinite(expiresAt) || expiresAt <= now) {
      throw new NatsAuthInputError(
        `expiresAt ${expiresAt} is not a time in the future (unix milliseconds); give the session's expiry.`,
      );
    }
    if (expiresAt > now + this.options.maxUserTtlMs) {
      throw new NatsAuthInputError(
        `expiresAt is more than maxUserTtlMs (${this.options.maxUserTtlMs} ms) away; shorten the session or raise maxUserTtlMs.`,
      );
    }
    return expiresAt;
  }

  #issue(
    name: string,
    permissions: UserPermissions,
    expiresAt: number,
    subs = -1,
    signer: Nkey = this.keys.meshSigning,
    account: string = this.meshAccount,
  ): IssuedUser {
    const user = newNkey(NkeyRole.User);
    const jwt = encodeNatsJwt(
      {
        name,
        subject: user.publicKey,
        expiresAt,
        nats: {
          type: 'user',
          version: 2,
          ...permissions,
          subs,
          data: -1,
          payload: -1,
          issuer_account: account,
        },
      },
      signer,
      this.options.clock,
    );
    return { publicKey: user.publicKey, jwt, seed: user.seed, creds: formatCreds(jwt, user.seed), expiresAt };
  }
}
