export { currentTraceId } from './trace-id.js';
