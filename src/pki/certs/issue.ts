import { type Clock, systemClock } from '../../clock.js';
import { BACKDATE_MS, type CertificateAuthority, signCertificate } from '../ca/authority.js';
import { PkiError, PkiErrorCode } from '../ca/errors.js';
import { exportPrivateKeyPem, generatePkiKeyPair, isKeyAlgorithm, KeyAlgorithm } from '../ca/keys.js';
import { x509 } from '../ca/x509.js';
import { type CertificateSummary, summarize } from './inspect.js';
import { parseSan, type SubjectAltName } from './sans.js';

/** What a leaf certificate is for; it decides the extended key usages. */
export const LeafKind = {
  Node: 'node',
  Broker: 'broker',
  NatsServer: 'nats-server',
  /** An agent session's client certificate: lives as long as its session (decision 0011). */
  Agent: 'agent',
  /** Operator tools (sessions, approvals, session create) of one mesh. */
  Operator: 'operator',
} as const;
export type LeafKind = (typeof LeafKind)[keyof typeof LeafKind];

// Nodes, brokers, agents and operator tools dial NATS as clients; a nats-server answers clients and dials routes.
const EKUS: Record<LeafKind, string[]> = {
  node: [x509.ExtendedKeyUsage.clientAuth],
  broker: [x509.ExtendedKeyUsage.clientAuth],
  agent: [x509.ExtendedKeyUsage.clientAuth],
  operator: [x509.ExtendedKeyUsage.clientAuth],
  'nats-server': [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth],
};

export interface LeafOptions {
  kind: LeafKind;
  /** Node id, broker name or server name: the CN and the `urn:trustmesh:<kind>:<name>` URI SAN. */
  name: string;
  /** Lifetime. @default 3_600_000 (1 h) */
  ttlMs?: number;
  /** Extra SANs (`dns:…`, `ip:…`, `uri:…`, or untagged). @default [] */
  sans?: string[];
  /** Leaf key algorithm. @default 'p256' */
  algorithm?: KeyAlgorithm;
  /** @default systemClock */
  clock?: Clock;
}

export const DEFAULT_LEAF_TTL_MS = 3_600_000;

/** A freshly issued leaf: PEM texts ready to write (the key only ever 0600) plus its summary. */
export interface IssuedCertificate extends CertificateSummary {
  kind: LeafKind;
  name: string;
  certPem: string;
  /** Leaf then intermediate: what a TLS peer presents so the other side can build the path to the root. */
  chainPem: string;
  keyPem: string;
}

export function parseLeafOptions(options: LeafOptions): Required<Omit<LeafOptions, 'sans'>> & {
  sans: SubjectAltName[];
} {
  const fail = (message: string): never => {
    throw new PkiError(PkiErrorCode.Options, `Cannot issue a certificate: ${message}`);
  };
  if (!Object.values(LeafKind).includes(options.kind))
    fail(`kind '${String(options.kind)}' is not one of ${Object.values(LeafKind).join(', ')}.`);
  if (!/^[\w.-]{1,128}$/.test(options.name ?? ''))
    fail(`name '${options.name}' must be 1-128 letters, digits, '_', '.' or '-'.`);
  const ttlMs = options.ttlMs ?? DEFAULT_LEAF_TTL_MS;
  if (!(ttlMs >= 60_000)) fail(`ttl ${ttlMs} ms is shorter than one minute; give at least 1m.`);
  const algorithm = options.algorithm ?? KeyAlgorithm.P256;
  if (!isKeyAlgorithm(algorithm)) fail(`algorithm '${String(algorithm)}' is not 'ed25519' or 'p256'.`);
  const identity: SubjectAltName = { type: 'url', value: `urn:trustmesh:${options.kind}:${options.name}` };
  return {
    kind: options.kind,
    name: options.name,
    ttlMs,
    algorithm,
    clock: options.clock ?? systemClock,
    sans: [identity, ...(options.sans ?? []).map(parseSan)],
  };
}

/** Issues a short-lived leaf certificate with a fresh key, signed by the intermediate `issuer`. */
export async function issueLeafCertificate(
  issuer: CertificateAuthority,
  options: LeafOptions,
): Promise<IssuedCertificate> {
  const { kind, name, ttlMs, algorithm, clock, sans } = parseLeafOptions(options);
  const key = await generatePkiKeyPair(algorithm);
  const now = clock();
  const cert = await signCertificate(issuer, {
    subject: `CN=${name}, OU=${kind}, O=trustmesh`,
    publicKey: key.keys.publicKey,
    notBefore: now - BACKDATE_MS,
    notAfter: now + ttlMs,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension(EKUS[kind], false),
      new x509.SubjectAlternativeNameExtension(sans, false),
    ],
  });
  const certPem = cert.toString('pem');
  return {
    ...(await summarize(cert)),
    kind,
    name,
    certPem,
    chainPem: `${certPem}\n${issuer.cert.toString('pem')}\n`,
    keyPem: await exportPrivateKeyPem(key),
  };
}
