export type { BrokerContext, BrokerInput, RetryOptions } from './context.js';
export { backoffDelay, DEFAULT_DRAIN_TIMEOUT_MS, DEFAULT_RETRY, initialBrokerContext } from './context.js';
export type { BrokerEvent, Quarantine, ToolsDiff } from './events.js';
export { acceptsCalls, brokerMachine, withRandom } from './machine.js';
