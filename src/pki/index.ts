export type { ApprovalContext, ApproverIdentity, ApproverVerifierOptions } from './approvers/index.js';
export {
  ApproverError,
  ApproverErrorCode,
  ApproverVerifier,
  DEFAULT_MFA_METHODS,
} from './approvers/index.js';
export type { CertificateAuthority, MeshCa, MeshCaOptions, PkiLayout } from './ca/index.js';
export {
  createMeshCa,
  initPki,
  isKeyAlgorithm,
  KeyAlgorithm,
  loadPki,
  loadPkiCertificates,
  PkiError,
  PkiErrorCode,
  pkiLayout,
} from './ca/index.js';
export type {
  CertificateRenewerOptions,
  CertificateSummary,
  IssuedCertificate,
  LeafFiles,
  LeafOptions,
  StoredLeaf,
  TrustAnchors,
} from './certs/index.js';
export {
  CertificateRenewer,
  certificateKeyId,
  issueLeafCertificate,
  issueToStore,
  LeafKind,
  leafFiles,
  listIssued,
  parseCertificate,
  parseDuration,
  reissueLeaf,
  renewInStore,
  summarize,
  verifyCertificateChain,
} from './certs/index.js';
export type { Revocation, RevocationList, RevocationRequest } from './revocation/index.js';
export {
  DEFAULT_REVOCATION_BUCKET,
  FileRevocationList,
  KvRevocationList,
  RevocationError,
  RevocationKind,
} from './revocation/index.js';
export type {
  ClientTlsFiles,
  ClientTlsMaterial,
  LeafRenewalOptions,
  NatsClusterTlsOptions,
  NatsTlsFiles,
  NatsTlsOptions,
} from './tls/index.js';
export {
  natsClientTls,
  natsClientTlsFiles,
  renderNatsClusterBlock,
  renderNatsTlsBlock,
  rotateNatsServerCertificate,
  startLeafRenewal,
} from './tls/index.js';
export type {
  SessionTokenClaims,
  SessionTokenRequest,
  SessionTokenVerifierOptions,
  TokenUse,
} from './tokens/index.js';
export {
  SESSION_TOKEN_META_KEY,
  SessionTokenIssuer,
  SessionTokenVerifier,
  TokenError,
  TokenErrorCode,
  withSessionToken,
} from './tokens/index.js';
