export type { TrustChain } from './accounts.js';
export { MESH_ACCOUNT_NAME, OPERATOR_NAME, SYSTEM_ACCOUNT_NAME } from './accounts.js';
export type {
  BrokerUserRequest,
  IssuedUser,
  NatsAuthority,
  NodeUserRequest,
  ServerConfigRequest,
  SessionUserRequest,
} from './authority.js';
export { createNatsAuthority } from './authority.js';
export { formatCreds } from './creds.js';
export {
  NatsAuthError,
  NatsAuthErrorCode,
  NatsAuthInputError,
  NatsAuthOptionsError,
  NatsAuthStateError,
  NatsClaimsPushError,
  NatsJwtError,
  NkeyError,
} from './errors.js';
export type { NatsClaims, NatsPermission, NatsResponsePermission, NatsUserClaims } from './jwt.js';
export { decodeNatsJwt } from './jwt.js';
export type { Nkey } from './nkey.js';
export { NkeyRole, newNkey, nkeyFromSeed } from './nkey.js';
export type { NatsAuthorityOptions } from './options.js';
export {
  DEFAULT_MAX_USER_TTL_MS,
  DEFAULT_PUSH_TIMEOUT_MS,
  DEFAULT_RESPONSE_TTL_MS,
  DEFAULT_SESSION_MAX_SUBSCRIPTIONS,
  parseNatsAuthorityOptions,
} from './options.js';
export type { UserPermissions } from './permissions.js';
export { brokerInboxPrefix, brokerPermissions, nodePermissions, sessionPermissions } from './permissions.js';
export { natsAuthFiles } from './state.js';
