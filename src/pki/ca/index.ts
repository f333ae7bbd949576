export type { CertificateAuthority, CertificateRequest, MeshCa, MeshCaOptions } from './authority.js';
export {
  BACKDATE_MS,
  createMeshCa,
  DEFAULT_INTERMEDIATE_TTL_MS,
  DEFAULT_MESH_NAME,
  DEFAULT_ROOT_TTL_MS,
  parseMeshCaOptions,
  signCertificate,
} from './authority.js';
export { PkiError, PkiErrorCode } from './errors.js';
export type { PkiKeyPair } from './keys.js';
export {
  algorithmOfCertificate,
  exportPrivateKeyPem,
  generatePkiKeyPair,
  importKeyPair,
  isKeyAlgorithm,
  KeyAlgorithm,
} from './keys.js';
export { randomSerial } from './serial.js';
export type { PkiLayout } from './store.js';
export { initPki, loadPki, loadPkiCertificates, pkiLayout } from './store.js';
