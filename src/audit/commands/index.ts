export type { ReadRecord, RecordFilter } from './query.js';
export { formatRecord, matches, readRecords } from './query.js';
