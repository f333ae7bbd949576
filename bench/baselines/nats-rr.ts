import { connect } from '@nats-io/transport-node';
import { ECHO_TEXT } from '../runner/payload.js';
import type { RoundTripFigures, RoundTripOptions } from '../runner/round-trip.js';
import { measureRoundTrip } from '../runner/round-trip.js';

export interface NatsRrOptions extends RoundTripOptions {
  /** nats-server to measure against. */
  url: string;
}

const SUBJECT = 'bench.rr';
const TIMEOUT_MS = 10_000;

/**
 * Baseline: raw NATS request/reply, one hop through the server, to a responder that sends the
 * payload straight back. Requester and responder use separate connections, as a client and a
 * server in different processes would.
 */
export async function benchNatsRr(options: NatsRrOptions): Promise<RoundTripFigures> {
  const responder = await connect({ servers: options.url });
  const requester = await connect({ servers: options.url });
  try {
    responder.subscribe(SUBJECT, {
      callback: (_err, msg) => {
        msg.respond(msg.data);
      },
    });
    await responder.flush();
    const payload = new TextEncoder().encode(ECHO_TEXT);
    return await measureRoundTrip(
      () => requester.request(SUBJECT, payload, { timeout: TIMEOUT_MS }),
      options,
    );
  } finally {
    await requester.close();
    await responder.close();
  }
}
