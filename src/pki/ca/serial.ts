import { randomBytes } from 'node:crypto';

/**
 * A random 128-bit serial (RFC 5280 allows up to 20 octets; CA/B asks for ≥ 64 random bits), as lower
 * hex. The top bit is cleared so it stays a positive INTEGER and the next one set so no leading zero
 * octet is dropped by DER encoding, keeping the hex we record equal to the hex in the certificate.
 */
export function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x40;
  return bytes.toString('hex');
}
