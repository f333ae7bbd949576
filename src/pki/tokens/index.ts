export type { SessionTokenAlgorithm, SessionTokenClaims } from './claims.js';
export { SESSION_TOKEN_ALGORITHMS } from './claims.js';
export type { TokenDenialContext } from './errors.js';
export { TokenError, TokenErrorCode, TokenOptionsError } from './errors.js';
export type { IssuedSessionToken, SessionTokenIssuerOptions, SessionTokenRequest } from './issue.js';
export { DEFAULT_TOKEN_TTL_MS, SessionTokenIssuer } from './issue.js';
export {
  attachSessionToken,
  isRequest,
  SESSION_TOKEN_META_KEY,
  takeSessionToken,
  withSessionToken,
} from './transport.js';
export type { SessionTokenVerifierOptions, TokenUse } from './verify.js';
export { DEFAULT_TOKEN_CACHE_ENTRIES, DEFAULT_TOKEN_CLOCK_SKEW_MS, SessionTokenVerifier } from './verify.js';
