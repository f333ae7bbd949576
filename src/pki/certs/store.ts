import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CertificateAuthority } from '../ca/authority.js';
import { PkiError, PkiErrorCode } from '../ca/errors.js';
import type { KeyAlgorithm } from '../ca/keys.js';
import type { PkiLayout } from '../ca/store.js';
import { writeFileAtomically } from '../key-store.js';
import { type CertificateSummary, parseCertificate, summarize } from './inspect.js';
import { type IssuedCertificate, issueLeafCertificate, type LeafKind, type LeafOptions } from './issue.js';

/** How a leaf was asked for, kept beside it so `renew` issues the same again. */
interface IssueRecord {
  kind: LeafKind;
  name: string;
  ttlMs: number;
  sans: string[];
  algorithm: KeyAlgorithm;
}

/** Where an issued leaf's files are. */
export interface LeafFiles {
  /** Leaf then intermediate, PEM. */
  certFile: string;
  /** PKCS#8 PEM, 0600. */
  keyFile: string;
}

export interface StoredLeaf extends CertificateSummary, LeafFiles {
  kind: LeafKind;
  name: string;
}

/** Where the chain, key (0600) and request record of an issued leaf live under `issued/`. */
export function leafFiles(
  layout: PkiLayout,
  kind: LeafKind,
  name: string,
): LeafFiles & { recordFile: string } {
  const base = join(layout.issuedDir, `${kind}-${name}`);
  return { certFile: `${base}.crt`, keyFile: `${base}.key`, recordFile: `${base}.json` };
}

/** Issues a leaf from the intermediate and writes chain, key (0600) and request record under `issued/`. */
export async function issueToStore(
  layout: PkiLayout,
  issuer: CertificateAuthority,
  options: Required<Pick<LeafOptions, 'kind' | 'name' | 'ttlMs' | 'algorithm'>> & { sans: string[] },
): Promise<StoredLeaf> {
  const issued = await issueLeafCertificate(issuer, options);
  const files = leafFiles(layout, options.kind, options.name);
  const record: IssueRecord = { ...options };
  await writeFileAtomically(files.keyFile, issued.keyPem, true);
  await writeFileAtomically(files.certFile, issued.chainPem, false);
  await writeFileAtomically(files.recordFile, `${JSON.stringify(record, null, 2)}\n`, false);
  return stored(issued, files);
}

/** Issues a new certificate and key for an identity issued before, with the same kind, name, SANs and lifetime. */
export async function renewInStore(
  layout: PkiLayout,
  issuer: CertificateAuthority,
  kind: LeafKind,
  name: string,
): Promise<StoredLeaf> {
  const { recordFile } = leafFiles(layout, kind, name);
  let record: IssueRecord;
  try {
    record = JSON.parse(await readFile(recordFile, 'utf8')) as IssueRecord;
  } catch (cause) {
    throw new PkiError(
      PkiErrorCode.Store,
      `no ${kind} certificate named '${name}' was issued from ${layout.dir}; issue it first with 'trustmesh pki issue'.`,
      { cause },
    );
  }
  return issueToStore(layout, issuer, record);
}

/** Every leaf under `issued/`, summarised (no key is read). */
export async function listIssued(layout: PkiLayout): Promise<StoredLeaf[]> {
  const names = await readdir(layout.issuedDir).catch(() => [] as string[]);
  const leaves: StoredLeaf[] = [];
  for (const file of names.filter((name) => name.endsWith('.json')).sort()) {
    const record = JSON.parse(await readFile(join(layout.issuedDir, file), 'utf8')) as IssueRecord;
    const files = leafFiles(layout, record.kind, record.name);
    const cert = parseCertificate(await readFile(files.certFile, 'utf8'), files.certFile);
    leaves.push({
      ...(await summarize(cert)),
      kind: record.kind,
      name: record.name,
      certFile: files.certFile,
      keyFile: files.keyFile,
    });
  }
  return leaves;
}

function stored(issued: IssuedCertificate, files: LeafFiles): StoredLeaf {
  const { certPem: _c, chainPem: _ch, keyPem: _k, ...summary } = issued;
  return { ...summary, ...files };
}
