import { JetStreamApiCodes, JetStreamApiError, jetstreamManager, StorageType } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { ParsedAuditShipperOptions } from './options.js';

/** `<prefix>.audit.<session>`; a session id that is not one subject token goes to `_invalid`. */
export function auditSubject(prefix: string, session: unknown): string {
  const token = typeof session === 'string' && /^[A-Za-z0-9_-]{1,128}$/.test(session) ? session : '_invalid';
  return `${prefix}.audit.${token}`;
}

/** Creates the audit stream when it does not exist; an existing stream is used as the operator left it. */
export async function ensureAuditStream(
  nc: NatsConnection,
  options: ParsedAuditShipperOptions,
): Promise<void> {
  const jsm = await jetstreamManager(nc);
  try {
    await jsm.streams.info(options.stream);
    return;
  } catch (err) {
    if (!(err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound)) throw err;
  }
  await jsm.streams.add({
    name: options.stream,
    subjects: [`${options.prefix}.audit.>`],
    storage: StorageType.File,
    num_replicas: options.replicas,
    duplicate_window: options.duplicateWindowMs * 1_000_000,
  });
}
