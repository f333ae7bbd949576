export type { ShipCursor } from './cursor.js';
export { loadCursor } from './cursor.js';
export type { AuditShipperOptions } from './options.js';
export { DEFAULT_AUDIT_STREAM, DEFAULT_DUPLICATE_WINDOW_MS } from './options.js';
export type { ShipLag } from './shipper.js';
export { AuditShipper } from './shipper.js';
export { auditSubject } from './stream.js';
