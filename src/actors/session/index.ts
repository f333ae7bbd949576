export type { SessionAuditor } from './call-audit.js';
export type { DenialData } from './denial.js';
export {
  CallRefusedError,
  MeshDenial,
  SessionActorError,
  SessionErrorCode,
  SessionRpcCode,
} from './errors.js';
export type { SessionActorOptions } from './options.js';
export { DEFAULT_BROKER_TIMEOUT_MS } from './options.js';
export { argumentPreview, MAX_PREVIEW_CHARS } from './preview.js';
export type { ContainmentVerb } from './session-actor.js';
export { OPERATOR_EVENTS, SessionActor } from './session-actor.js';
export type { SessionSnapshot } from './snapshot.js';
