import type { NatsConnection } from '@nats-io/transport-node';
import { NatsClaimsPushError } from './errors.js';

interface ClaimsUpdateReply {
  data?: { code?: number; message?: string };
  error?: { code?: number; description?: string };
}

/**
 * Sends an account JWT to the nats-server(s) behind `nc`, a connection of the system account, and
 * resolves once a server has stored it; nats-server then closes the live connections of users the
 * JWT revokes and the full resolver spreads it to the other servers of the cluster.
 */
export async function pushAccountJwt(
  nc: NatsConnection,
  account: string,
  jwt: string,
  timeoutMs: number,
): Promise<void> {
  let reply: ClaimsUpdateReply;
  try {
    const msg = await nc.request(`$SYS.REQ.ACCOUNT.${account}.CLAIMS.UPDATE`, jwt, { timeout: timeoutMs });
    reply = msg.json<ClaimsUpdateReply>();
  } catch (cause) {
    throw new NatsClaimsPushError(
      'No nats-server answered the account update; check that the connection uses the claims-pusher credentials of the system account and that the server runs the config from serverConfig().',
      { cause },
    );
  }
  if (reply.error !== undefined || reply.data?.code !== 200) {
    const reason = reply.error?.description ?? reply.data?.message ?? 'no reason given';
    throw new NatsClaimsPushError(
      `nats-server refused the account update (${reason}); the revocation is saved and is sent again with the next update or server start.`,
    );
  }
}
