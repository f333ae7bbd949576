export { SignerError, SignerErrorCode } from './errors.js';
export type { IdentityFiles, MeshIdentity, SignerName } from './identity.js';
export { loadMeshIdentity, meshIdentity, signerName } from './identity.js';
export { ReloadableIdentity } from './reloadable.js';
export type { SignedFrame } from './signed.js';
export { decodeSignedFrame, SignedPurpose, sealSigned } from './signed.js';
export type { ExpectedSigner, MeshTrustOptions } from './trust.js';
export { DEFAULT_TRUSTED_CERTIFICATES, MeshTrust } from './trust.js';
