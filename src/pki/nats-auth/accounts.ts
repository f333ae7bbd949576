import type { Clock } from '../../clock.js';
import { encodeNatsJwt, type NatsAccountClaims } from './jwt.js';
import type { AuthorityKeys, Revocations } from './state.js';

/** The operator and account JWTs the servers trust, as of one revocation list. */
export interface TrustChain {
  operatorJwt: string;
  meshAccountJwt: string;
  systemAccountJwt: string;
}

export const OPERATOR_NAME = 'trustmesh';
export const MESH_ACCOUNT_NAME = 'MESH';
export const SYSTEM_ACCOUNT_NAME = 'SYS';

const UNLIMITED = {
  subs: -1,
  data: -1,
  payload: -1,
  imports: -1,
  exports: -1,
  wildcards: true,
  conn: -1,
  leaf: -1,
};
// -1 means unlimited; JetStream is enabled in an account only when its storage limits are set.
const UNLIMITED_JETSTREAM = { mem_storage: -1, disk_storage: -1, streams: -1, consumer: -1 };
// Users get exactly the permissions their JWT lists; one issued without them may do nothing.
const DENY_ALL = { pub: { deny: ['>'] }, sub: { deny: ['>'] } };

/** Signs the operator JWT and both account JWTs (operator signing key); accounts never expire. */
export function issueTrustChain(
  keys: AuthorityKeys,
  revocations: Revocations,
  jetstream: boolean,
  clock: Clock,
): TrustChain {
  const operatorJwt = encodeNatsJwt(
    {
      name: OPERATOR_NAME,
      subject: keys.operator.publicKey,
      nats: {
        type: 'operator',
        version: 2,
        signing_keys: [keys.operatorSigning.publicKey],
        system_account: keys.systemAccount,
      },
    },
    keys.operator,
    clock,
  );
  const account = (name: string, subject: string, claims: Omit<NatsAccountClaims, 'type' | 'version'>) =>
    encodeNatsJwt(
      { name, subject, nats: { type: 'account', version: 2, ...claims } },
      keys.operatorSigning,
      clock,
    );
  return {
    operatorJwt,
    meshAccountJwt: account(MESH_ACCOUNT_NAME, keys.meshAccount, {
      signing_keys: [keys.meshSigning.publicKey],
      limits: jetstream ? { ...UNLIMITED, ...UNLIMITED_JETSTREAM } : UNLIMITED,
      ...(Object.keys(revocations).length > 0 ? { revocations } : {}),
      default_permissions: DENY_ALL,
    }),
    systemAccountJwt: account(SYSTEM_ACCOUNT_NAME, keys.systemAccount, {
      signing_keys: [keys.systemSigning.publicKey],
      limits: UNLIMITED,
      default_permissions: DENY_ALL,
    }),
  };
}
