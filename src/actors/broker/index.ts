export type { BrokerState } from './broker.js';
export { ToolBroker } from './broker.js';
export type { ToolDefinition } from './catalogue.js';
export type { BrokerChange } from './changes.js';
export { brokerChangesWildcard, decodeBrokerChange } from './changes.js';
export { BrokerError, BrokerErrorCode } from './errors.js';
export type { InjectionMarker } from './markers.js';
export { findInjectionMarkers, INJECTION_MARKERS } from './markers.js';
export type { BrokerOptions, HttpUpstream, StdioUpstream, Upstream } from './options.js';
export {
  DEFAULT_CALL_TIMEOUT_MS,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_MAX_RESPONSE_BYTES,
  parseBrokerOptions,
} from './options.js';
export type { PinRecord, PinStore } from './pin-store.js';
export { FilePinStore } from './pin-store.js';
export { sanitiseDescription, stripInvisible } from './sanitise.js';
export { openBrokerResponse, sealBrokerResponse } from './signed-response.js';
export type {
  BrokerCatalogue,
  BrokerRequest,
  BrokerResponse,
  BrokerSubjects,
  CallTarget,
  CatalogueTool,
  QuarantineReport,
} from './wire.js';
export {
  brokerSubjects,
  callTarget,
  decodeCatalogue,
  encodeBrokerRequest,
} from './wire.js';
