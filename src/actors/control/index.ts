export type { BrokerApproveRequest } from './broker-responder.js';
export { BrokerApproveRequestSchema, serveBrokerControl } from './broker-responder.js';
export type { ControlBuckets } from './buckets.js';
export { openControlBuckets, readAll } from './buckets.js';
export type { MeshControlOptions } from './client.js';
export { DEFAULT_CONTROL_TIMEOUT_MS, MeshControl } from './client.js';
export { decodeBody, encodeJson, encodeReply, errorReply, MAX_CONTROL_BYTES } from './codec.js';
export { ControlError, ControlErrorCode } from './errors.js';
export type {
  ApprovalAnswer,
  ApprovalRecord,
  ApproveRequest,
  ControlReply,
  DenyRequest,
  OperatorRequest,
  RiskView,
  SessionDescriptor,
  SessionInspection,
  SessionSummary,
  TransitionView,
} from './messages.js';
export {
  ApprovalRecordSchema,
  ApprovalStatus,
  ApproveRequestSchema,
  DenyRequestSchema,
  MAX_ID_TOKEN_CHARS,
  OperatorRequestSchema,
  SessionDescriptorSchema,
} from './messages.js';
export type { ControlSubjects } from './subjects.js';
export {
  APPROVALS_BUCKET,
  BrokerVerb,
  controlSubjects,
  isSessionVerb,
  SESSIONS_BUCKET,
  SessionVerb,
} from './subjects.js';
