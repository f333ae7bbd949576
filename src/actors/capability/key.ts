import { createSecretKey, hkdfSync, type KeyObject } from 'node:crypto';
import { CapabilityError, CapabilityErrorCode } from './errors.js';

/** Shortest mesh capability secret accepted: HMAC-SHA256 gains nothing beyond 32 bytes, and loses below. */
export const MIN_MESH_CAPABILITY_SECRET_BYTES = 32;

const INFO_PREFIX = 'trustmesh/cap/v1/';
const KEY_BYTES = 32;
// A server name is one NATS subject token, the same rule the broker applies to its subjects.
const SERVER_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** The MAC key of one server's capabilities. A broker holds only its own server's key. */
export interface CapabilityKey {
  readonly server: string;
  readonly key: KeyObject;
}

/**
 * `K_server = HKDF-SHA256(meshSecret, salt = empty, info = "trustmesh/cap/v1/" + server)`. Nodes hold the
 * mesh secret and derive any server's key; a broker given only `K_server` can forge capabilities for
 * the server it already fronts and for no other.
 */
export function deriveCapabilityKey(meshSecret: Uint8Array, server: string): CapabilityKey {
  if (meshSecret.byteLength < MIN_MESH_CAPABILITY_SECRET_BYTES) {
    throw new CapabilityError(
      CapabilityErrorCode.InvalidOptions,
      `The mesh capability secret is ${meshSecret.byteLength} bytes; use at least ${MIN_MESH_CAPABILITY_SECRET_BYTES} random bytes.`,
    );
  }
  assertServerName(server);
  const okm = hkdfSync('sha256', meshSecret, new Uint8Array(0), `${INFO_PREFIX}${server}`, KEY_BYTES);
  return { server, key: createSecretKey(new Uint8Array(okm)) };
}

/** Wraps a server key delivered as raw bytes (to a broker, which never sees the mesh secret). */
export function importCapabilityKey(server: string, raw: Uint8Array): CapabilityKey {
  if (raw.byteLength !== KEY_BYTES) {
    throw new CapabilityError(
      CapabilityErrorCode.InvalidOptions,
      `The capability key for ${JSON.stringify(server)} is ${raw.byteLength} bytes; a server key is exactly ${KEY_BYTES}.`,
    );
  }
  assertServerName(server);
  return { server, key: createSecretKey(raw) };
}

/** True when `server` is a name a capability can be bound to and a subject can carry (one safe token). */
export function isServerName(server: unknown): server is string {
  return typeof server === 'string' && SERVER_NAME.test(server);
}

function assertServerName(server: string): void {
  if (!isServerName(server)) {
    throw new CapabilityError(
      CapabilityErrorCode.InvalidOptions,
      `The server name ${JSON.stringify(server)} is not one safe subject token; use 1 to 64 letters, digits, '-' or '_'.`,
    );
  }
}
