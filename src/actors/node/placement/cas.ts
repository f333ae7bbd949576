import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';

/** True when a compare-and-set write failed because the key moved on (or vanished) since we read it. */
export function isStaleRevision(err: unknown): boolean {
  return (
    err instanceof JetStreamApiError &&
    (err.code === JetStreamApiCodes.StreamWrongLastSequence ||
      err.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown)
  );
}
