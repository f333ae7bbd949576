import { isIP } from 'node:net';
import { PkiError, PkiErrorCode } from '../ca/errors.js';

/** A subject alternative name, as @peculiar/x509 spells its types. */
export interface SubjectAltName {
  type: 'dns' | 'ip' | 'url';
  value: string;
}

const DNS_NAME = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;
const URI = /^[a-z][a-z0-9+.-]*:\S+$/i;

/**
 * Parses `dns:host`, `ip:addr` or `uri:scheme:…`; an untagged value is an IP when it parses as one,
 * a URI when it has a scheme, a DNS name otherwise.
 */
export function parseSan(text: string): SubjectAltName {
  const tagged = /^(dns|ip|uri):(.+)$/i.exec(text);
  const tag = tagged?.[1]?.toLowerCase();
  const value = tagged?.[2] ?? text;
  const type = tag === 'dns' || tag === 'ip' ? tag : tag === 'uri' ? 'url' : guessType(value);
  const valid = type === 'ip' ? isIP(value) !== 0 : type === 'url' ? URI.test(value) : DNS_NAME.test(value);
  if (!valid) {
    throw new PkiError(
      PkiErrorCode.Options,
      `SAN '${text}' is not a valid ${type === 'url' ? 'URI' : type.toUpperCase()}: ` +
        'use dns:host.example, ip:10.0.0.5 or uri:urn:trustmesh:node:n1.',
    );
  }
  return { type, value };
}

function guessType(value: string): SubjectAltName['type'] {
  if (isIP(value) !== 0) return 'ip';
  return URI.test(value) ? 'url' : 'dns';
}
