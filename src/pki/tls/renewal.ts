import { readFile } from 'node:fs/promises';
import { BACKDATE_MS } from '../ca/authority.js';
import { loadPki } from '../ca/store.js';
import { parseCertificate } from '../certs/inspect.js';
import type { IssuedCertificate } from '../certs/issue.js';
import { reissueLeaf } from '../certs/reissue.js';
import { CertificateRenewer, type CertificateRenewerOptions } from '../certs/renewer.js';
import type { LeafFiles } from '../certs/store.js';
import { writeFileAtomically } from '../key-store.js';

export interface LeafRenewalOptions
  extends Pick<
    CertificateRenewerOptions,
    'onError' | 'jitter' | 'retryMs' | 'clock' | 'random' | 'timer' | 'backdateMs'
  > {
  /** The mesh PKI directory whose intermediate issues each successor (read again at every renewal). */
  pkiDir: string;
  /** The leaf's chain and key; each successor replaces them by rename, key first. */
  files: LeafFiles;
  /** Installs a successor instead of writing the files (a nats-server: write, then reload). */
  install?: (next: IssuedCertificate) => Promise<void>;
  /** Told about each installed successor: log its serial and expiry, never its key. */
  onRenewed?: (next: IssuedCertificate) => void;
}

/**
 * Keeps the leaf at `files` fresh: renews it at half-life with jitter from the mesh CA in `pkiDir`,
 * with the same identity, SANs, lifetime and key algorithm. A NATS client that connects with these
 * files (`natsClientTlsFiles`) presents the successor from its next connection on.
 */
export async function startLeafRenewal(options: LeafRenewalOptions): Promise<CertificateRenewer> {
  const { pkiDir, files, install, onRenewed, ...timing } = options;
  let current = parseCertificate(await readFile(files.certFile, 'utf8'), files.certFile);
  const renewer = new CertificateRenewer(
    { notBefore: current.notBefore.toISOString(), notAfter: current.notAfter.toISOString() },
    {
      backdateMs: BACKDATE_MS,
      ...timing,
      issue: async () => reissueLeaf((await loadPki(pkiDir)).intermediate, current),
      onRenewed: async (next) => {
        await (install ?? ((leaf) => writeLeafFiles(files, leaf)))(next);
        current = parseCertificate(next.certPem, `renewed ${next.subject}`);
        onRenewed?.(next);
      },
    },
  );
  renewer.start();
  return renewer;
}

/** Key first: a reader between the two renames pairs the old chain with the new key and retries its handshake. */
async function writeLeafFiles(files: LeafFiles, leaf: IssuedCertificate): Promise<void> {
  await writeFileAtomically(files.keyFile, leaf.keyPem, true);
  await writeFileAtomically(files.certFile, leaf.chainPem, false);
}
