import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { x509 } from '../pki/ca/x509.js';
import {
  type LeafKind,
  leafFiles,
  loadPkiCertificates,
  parseCertificate,
  pkiLayout,
  type TrustAnchors,
} from '../pki/index.js';
import { ReloadableIdentity, SignerError, SignerErrorCode } from '../pki/signer/index.js';
import { meshPkiDir, type TlsFlags } from './mesh-tls.js';

/** Where a mesh process finds its certificate identity and the CA it trusts. */
export interface IdentityFlags extends TlsFlags {
  dir: string;
  pki?: string;
  cert?: string;
  key?: string;
}

/**
 * Adds --pki, --cert and --key. Without them a process signs with the leaf it connects with
 * (--tls-cert/--tls-key: digitalSignature + clientAuth), else with the leaf `trustmesh up` issued
 * for it under <dir>/pki.
 */
export function withIdentityFlags(command: Command, kind: LeafKind, name: string): Command {
  return command
    .option(
      '--pki <dir>',
      'mesh PKI directory holding root.crt and intermediate.crt (default: --tls-ca with the intermediate of --tls-cert, else <dir>/pki)',
    )
    .option(
      '--cert <file>',
      `certificate this ${kind} signs with, PEM chain (default: --tls-cert, else <pki>/issued/${kind}-${name}.crt)`,
    )
    .option(
      '--key <file>',
      `its private key, PKCS#8 PEM, 0600 (default: --tls-key, else <pki>/issued/${kind}-${name}.key)`,
    );
}

/**
 * Loads the certificate and key this process signs with, and the mesh CA it checks peers against.
 * Call `identity.reload()` once the leaf was renewed in place (`renewOwnLeaf`'s `afterRenewal`).
 */
export async function loadIdentity(
  flags: IdentityFlags,
  kind: LeafKind,
  name: string,
): Promise<{ identity: ReloadableIdentity; anchors: TrustAnchors }> {
  const pkiDir = flags.pki ?? meshPkiDir(flags.dir);
  const issued = leafFiles(pkiLayout(pkiDir), kind, name);
  const certFile = flags.cert ?? flags.tlsCert ?? issued.certFile;
  const identity = await ReloadableIdentity.load({
    certFile,
    keyFile: flags.key ?? flags.tlsKey ?? issued.keyFile,
  });
  if (flags.pki === undefined && flags.tlsCa !== undefined) {
    return { identity, anchors: await anchorsOf(flags.tlsCa, certFile) };
  }
  const certs = await loadPkiCertificates(pkiDir);
  return { identity, anchors: { root: certs.root, intermediates: [certs.intermediate] } };
}

/** The root in `caFile` and the intermediates after the leaf in its chain file (what TLS presents). */
async function anchorsOf(caFile: string, chainFile: string): Promise<TrustAnchors> {
  const [rootPem, chainPem] = await Promise.all([readFile(caFile, 'utf8'), readFile(chainFile, 'utf8')]);
  const intermediates = x509.PemConverter.decode(chainPem)
    .slice(1)
    .map((der) => parseCertificate(new Uint8Array(der), chainFile));
  if (intermediates.length === 0) {
    throw new SignerError(
      SignerErrorCode.Identity,
      `${chainFile} holds no intermediate after the leaf; give the chain file 'trustmesh pki issue' wrote, or --pki with the mesh CA directory.`,
    );
  }
  return { root: parseCertificate(rootPem, caFile), intermediates };
}
