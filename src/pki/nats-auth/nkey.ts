import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { NkeyError } from './errors.js';

/**
 * The roles an nkey can have; the value is its prefix byte (the first base32 letter of the key).
 * Encoded as nats-io/nkeys does: base32 without padding of prefix + 32 raw bytes + CRC-16/XMODEM.
 */
export const NkeyRole = {
  Operator: 14 << 3, // 'O'
  Account: 0, // 'A'
  User: 20 << 3, // 'U'
} as const;
export type NkeyRole = (typeof NkeyRole)[keyof typeof NkeyRole];

const SEED_PREFIX = 18 << 3; // 'S'
const ROLE_NAMES: Record<NkeyRole, string> = {
  [NkeyRole.Operator]: 'an operator',
  [NkeyRole.Account]: 'an account',
  [NkeyRole.User]: 'a user',
};
const ROLE_LETTERS: Record<NkeyRole, string> = {
  [NkeyRole.Operator]: 'O',
  [NkeyRole.Account]: 'A',
  [NkeyRole.User]: 'U',
};

// DER framing of a raw Ed25519 private key (RFC 8410), so Node's native Ed25519 signs: the pure-JS
// signer nkeys ships manages a few dozen signatures a second, far below session-creation needs.
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const RAW_KEY_LENGTH = 32;

/** An Ed25519 key in nkey form; `seed` is the secret, `publicKey` what JWTs and servers name. */
export interface Nkey {
  readonly role: NkeyRole;
  readonly publicKey: string;
  readonly seed: string;
  sign(data: Uint8Array): Buffer;
}

/** A fresh random nkey with `role`. */
export function newNkey(role: NkeyRole): Nkey {
  const { privateKey } = generateKeyPairSync('ed25519');
  // The JWK export costs a fifth of a DER export: this is on the session-creation path.
  const { d, x } = privateKey.export({ format: 'jwk' });
  return nkeyOf(role, privateKey, Buffer.from(d!, 'base64url'), Buffer.from(x!, 'base64url'));
}

/** The nkey a seed (`SO…`, `SA…`, `SU…`) stands for; throws `NkeyError` unless it has `role`. */
export function nkeyFromSeed(seed: string, role: NkeyRole): Nkey {
  const raw = decodeChecked(seed, 'seed');
  const seedRole = ((raw[0]! & 7) << 5) | ((raw[1]! & 0xf8) >> 3);
  if ((raw[0]! & 0xf8) !== SEED_PREFIX || seedRole !== role || raw.length !== RAW_KEY_LENGTH + 2) {
    throw new NkeyError(
      `The seed given is not ${ROLE_NAMES[role]} nkey seed; it should start with 'S${ROLE_LETTERS[role]}'.`,
    );
  }
  const rawSeed = raw.subarray(2);
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519_PREFIX, rawSeed]),
    format: 'der',
    type: 'pkcs8',
  });
  const rawPublic = createPublicKey(privateKey)
    .export({ format: 'der', type: 'spki' })
    .subarray(-RAW_KEY_LENGTH);
  return nkeyOf(role, privateKey, rawSeed, rawPublic);
}

/** The raw Ed25519 public key inside an nkey public key; throws `NkeyError` unless it has `role`. */
export function decodePublicNkey(publicKey: string, role: NkeyRole): Buffer {
  const raw = typeof publicKey === 'string' ? decodeChecked(publicKey, 'public key') : undefined;
  if (raw === undefined || raw[0] !== role || raw.length !== RAW_KEY_LENGTH + 1) {
    throw new NkeyError(
      // Never echo the value: a seed passed here by mistake must not reach a log.
      `The key given is not ${ROLE_NAMES[role]} public nkey; it should be 56 characters starting with '${ROLE_LETTERS[role]}'.`,
    );
  }
  return raw.subarray(1);
}

function nkeyOf(role: NkeyRole, privateKey: KeyObject, rawSeed: Uint8Array, rawPublic: Uint8Array): Nkey {
  const seedHeader = Buffer.from([SEED_PREFIX | (role >> 5), (role & 31) << 3]);
  return {
    role,
    publicKey: encodeChecked(Buffer.concat([Buffer.from([role]), rawPublic])),
    seed: encodeChecked(Buffer.concat([seedHeader, rawSeed])),
    sign: (data) => sign(null, data, privateKey),
  };
}

function encodeChecked(payload: Buffer): string {
  const crc = crc16(payload);
  return base32NoPad(Buffer.concat([payload, Buffer.from([crc & 0xff, crc >> 8])]));
}

function decodeChecked(text: string, what: string): Buffer {
  const raw = base32Decode(text);
  if (raw === undefined || raw.length < 3)
    throw new NkeyError(`The nkey ${what} is not base32; copy it again in full.`);
  const payload = raw.subarray(0, -2);
  if (crc16(payload) !== raw.readUInt16LE(raw.length - 2)) {
    throw new NkeyError(`The nkey ${what} fails its checksum; it was truncated or altered.`);
  }
  return payload;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Base32 (RFC 4648) without padding: the text form of nkeys, and of NATS JWT ids. */
export function base32NoPad(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(buffer >> bits) & 31];
    }
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

function base32Decode(text: string): Buffer | undefined {
  const out: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const char of text) {
    const value = ALPHABET.indexOf(char);
    if (value < 0) return undefined;
    buffer = ((buffer << 5) | value) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((buffer >> bits) & 0xff);
    }
  }
  return Buffer.from(out);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, i) => {
  let crc = i << 8;
  for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? (crc << 1) ^ 0x1021 : crc << 1;
  return crc & 0xffff;
});

// CRC-16/XMODEM, the checksum nkeys append.
function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) crc = ((crc << 8) & 0xffff) ^ CRC_TABLE[((crc >> 8) ^ byte) & 0xff]!;
  return crc;
}
