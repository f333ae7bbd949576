import { sessionSubjects } from '../../transport/subjects.js';
import { DEFAULT_REVOCATION_BUCKET } from '../revocation/kv.js';
import type { NatsPermission, NatsResponsePermission } from './jwt.js';

/** The subject permissions of one NATS user, as its JWT carries them. */
export interface UserPermissions {
  pub: NatsPermission;
  sub: NatsPermission;
  resp?: NatsResponsePermission;
}

// Mesh processes (nodes, brokers, the authority) receive replies below nats.js's default inbox. Its
// first token `_INBOX` differs from every session's `_INBOX_<sid>`, so no session can subscribe there.
const MESH_INBOX = '_INBOX.>';

/** Response permission: one reply to each message received with a reply subject, within `ttlMs`. */
function oneReplyWithin(ttlMs: number): NatsResponsePermission {
  return { max: 1, ttl: ttlMs * 1_000_000 };
}

/**
 * A session's agent: publish and subscribe only below `<prefix>.s.<sid>`, receive replies only
 * below its own inbox prefix (see `sessionConnectOptions`), and answer the mesh's requests to it
 * (sampling, elicitation) through response permissions rather than any wider publish right.
 */
export function sessionPermissions(prefix: string, sid: string, responseTtlMs: number): UserPermissions {
  const subjects = sessionSubjects(prefix, sid);
  return {
    pub: { allow: [`${subjects.root}.>`] },
    sub: { allow: [`${subjects.root}.>`, `${subjects.inboxPrefix}.>`] },
    resp: oneReplyWithin(responseTtlMs),
  };
}

/**
 * A mesh node: serves every session, calls brokers (and hosts broker actors), takes control and
 * approval traffic, ships audit, and uses JetStream (KV buckets, streams). It answers agents through
 * response permissions, because their inboxes (`_INBOX_<sid>`) have no common wildcard.
 */
export function nodePermissions(prefix: string, responseTtlMs: number): UserPermissions {
  const mesh = ['s.*.>', 'tool.>', 'ctl.>', 'approvals.>'].map((rest) => `${prefix}.${rest}`);
  return {
    // Audit is write-only for nodes: records go into the stream, readers use JetStream consumers.
    pub: { allow: [...mesh, `${prefix}.audit.>`, '$JS.API.>', '$KV.>', '$JS.ACK.>', '$JS.FC.>'] },
    sub: { allow: [...mesh, MESH_INBOX] },
    resp: oneReplyWithin(responseTtlMs),
  };
}

/**
 * Where a broker receives replies to its own requests (the revocation list's JetStream lookups):
 * connect with `{ inboxPrefix: brokerInboxPrefix(server) }`. Its own prefix, not the mesh's `_INBOX`,
 * so a broker never sees the answers other brokers send to nodes.
 */
export function brokerInboxPrefix(server: string): string {
  return `_INBOX_broker.${server}`;
}

/**
 * Reading the revocation bucket and nothing else of JetStream: look the stream up and follow it with
 * an ordered consumer (created, flow-controlled and deleted by the watcher). No put, no other stream.
 */
function revocationReader(bucket = DEFAULT_REVOCATION_BUCKET): string[] {
  const stream = `KV_${bucket}`;
  return [
    '$JS.API.INFO',
    `$JS.API.STREAM.INFO.${stream}`,
    `$JS.API.CONSUMER.CREATE.${stream}`,
    `$JS.API.CONSUMER.CREATE.${stream}.>`,
    `$JS.API.CONSUMER.DELETE.${stream}.>`,
    '$JS.FC.>',
  ];
}

/**
 * A tool broker for one MCP server: receives only its own server's calls (in its queue group) and
 * its operator commands (`broker approve`), answers into the callers' inboxes, announces its own
 * catalogue changes, and reads the revocation list (node certificates are checked on every call);
 * it can publish nowhere else.
 */
export function brokerPermissions(prefix: string, server: string): UserPermissions {
  return {
    pub: { allow: [MESH_INBOX, `${prefix}.tool.${server}.changed`, ...revocationReader()] },
    sub: {
      allow: [
        `${prefix}.tool.${server}.>`,
        `${prefix}.ctl.broker.${server}.>`,
        `${brokerInboxPrefix(server)}.>`,
      ],
    },
  };
}

/** The authority's own user in the system account: it pushes account JWT updates, nothing else. */
export function claimsPusherPermissions(): UserPermissions {
  return {
    pub: { allow: ['$SYS.REQ.CLAIMS.UPDATE', '$SYS.REQ.ACCOUNT.*.CLAIMS.UPDATE'] },
    sub: { allow: [MESH_INBOX] },
  };
}
