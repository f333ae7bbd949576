import { TrustmeshError } from '../errors.js';

/** The options given to startNatsServer are contradictory or out of range. */
export class NatsServerOptionsError extends TrustmeshError {
  constructor(message: string) {
    super('ERR_NATS_SERVER_OPTIONS', message);
  }
}

/** nats-server did not become ready: it exited, could not be spawned, or timed out. */
export class NatsServerStartError extends TrustmeshError {
  /** The last lines nats-server logged before failing; empty when it never ran. */
  readonly logTail: string;
  /** The listen port another process already held, when that is why it failed. */
  readonly busyPort: number | undefined;

  constructor(message: string, details: { logTail: string; cause?: unknown }) {
    super('ERR_NATS_SERVER_START', message, { cause: details.cause });
    this.logTail = details.logTail;
    this.busyPort = busyPortIn(details.logTail);
  }
}

/** The port nats-server reported as taken ("listen tcp host:port: bind: address already in use"). */
export function busyPortIn(log: string): number | undefined {
  const port = /listen tcp .*:(\d+): bind: address already in use/.exec(log)?.[1];
  return port === undefined ? undefined : Number(port);
}
