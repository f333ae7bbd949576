import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { z } from 'zod';
import type { ToolBroker } from '../broker/index.js';
import { decodeBody, encodeReply, errorReply } from './codec.js';
import { BrokerVerb, controlSubjects } from './subjects.js';

export const BrokerApproveRequestSchema = z.object({
  operator: z.string().min(1).max(256),
  /** The `listedSetHash` the operator reviewed; the broker refuses if the server lists something else now. */
  expectedSetHash: z.string().max(256).optional(),
});
export type BrokerApproveRequest = z.infer<typeof BrokerApproveRequestSchema>;

/**
 * Answers `trustmesh broker approve <server>` for one broker replica: re-pins what its server lists
 * and replies with the new catalogue. Every request gets a reply; nothing here throws.
 */
export function serveBrokerControl(options: {
  nc: NatsConnection;
  broker: ToolBroker;
  prefix?: string;
}): Subscription {
  const subject = controlSubjects(options.prefix).broker(options.broker.server, BrokerVerb.Approve);
  return options.nc.subscribe(subject, {
    callback: (_err, msg) => {
      void (async () => {
        try {
          const request = decodeBody(BrokerApproveRequestSchema, msg.data, 'the approve request');
          await options.broker.approve(request.operator, request.expectedSetHash);
          msg.respond(encodeReply({ ok: true, result: options.broker.catalogue() }));
        } catch (err) {
          msg.respond(encodeReply(errorReply(err)));
        }
      })();
    },
  });
}
