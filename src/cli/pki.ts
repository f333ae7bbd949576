import { join } from 'node:path';
import type { Command } from 'commander';
import {
  FileRevocationList,
  initPki,
  isKeyAlgorithm,
  issueToStore,
  type KeyAlgorithm,
  LeafKind,
  listIssued,
  loadPki,
  loadPkiCertificates,
  PkiError,
  PkiErrorCode,
  parseDuration,
  pkiLayout,
  renewInStore,
  type StoredLeaf,
  summarize,
} from '../pki/index.js';
import { createOutput } from './output.js';
import { DEFAULT_STATE_DIR } from './state-dir.js';

const DEFAULT_PKI_DIR = join(DEFAULT_STATE_DIR, 'pki');
const KINDS = Object.values(LeafKind).join('|');

interface Common {
  dir: string;
  json?: boolean;
}

function algorithm(value: string | undefined): KeyAlgorithm {
  const chosen = value ?? 'p256';
  if (!isKeyAlgorithm(chosen))
    throw new PkiError(
      PkiErrorCode.Options,
      `--algorithm '${chosen}' is not p256 or ed25519; pick one of them.`,
    );
  return chosen;
}

function kind(value: string): LeafKind {
  if (!Object.values(LeafKind).includes(value as LeafKind))
    throw new PkiError(PkiErrorCode.Options, `--kind '${value}' is not one of ${KINDS}; pick one of them.`);
  return value as LeafKind;
}

function describeLeaf(verb: string, leaf: StoredLeaf): string {
  return [
    `${verb} ${leaf.kind} certificate '${leaf.name}', serial ${leaf.serial}, valid until ${leaf.notAfter}.`,
    `  certificate chain: ${leaf.certFile}`,
    `  private key (0600): ${leaf.keyFile}`,
    `  SHA-256 fingerprint: ${leaf.fingerprint}`,
    `Renew it before it expires with: trustmesh pki renew --kind ${leaf.kind} --name ${leaf.name}`,
  ].join('\n');
}

/** `trustmesh pki init|issue|renew|revoke|show`: the mesh CA on disk. Never prints key material. */
export function registerPkiCommands(program: Command): void {
  const pki = program
    .command('pki')
    .description(
      'Run the mesh certificate authority: create it, issue, renew, revoke and list certificates.',
    );
  const withCommon = (command: Command) =>
    command
      .option('--dir <dir>', 'the mesh PKI directory', DEFAULT_PKI_DIR)
      .option('--json', 'print the result as one JSON object');

  withCommon(pki.command('init'))
    .description('Create the mesh root CA and the intermediate CA that issues every leaf certificate.')
    .option('--algorithm <alg>', 'CA key algorithm: p256 or ed25519', 'p256')
    .option('--name <name>', 'mesh name used in the CA subjects', 'trustmesh')
    .addHelpText('after', '\nExample:\n  trustmesh pki init --dir /etc/trustmesh/pki')
    .action(async (opts: Common & { algorithm?: string; name: string }) => {
      const out = createOutput(opts.json === true);
      const ca = await initPki(opts.dir, { algorithm: algorithm(opts.algorithm), name: opts.name });
      const [root, intermediate] = await Promise.all([
        summarize(ca.root.cert),
        summarize(ca.intermediate.cert),
      ]);
      const layout = pkiLayout(opts.dir);
      out.result(
        [
          `Created the mesh CA in ${layout.dir}:`,
          `  root ${root.subject}, serial ${root.serial}, valid until ${root.notAfter}`,
          `  intermediate ${intermediate.subject}, serial ${intermediate.serial}, valid until ${intermediate.notAfter}`,
          `Keep ${layout.rootKey} offline once the intermediate exists.`,
          'Next: trustmesh pki issue --kind nats-server --name nats-1 --san localhost --san 127.0.0.1',
        ].join('\n'),
        { ok: true, dir: layout.dir, root, intermediate },
      );
    });

  withCommon(pki.command('issue'))
    .description('Issue a short-lived leaf certificate and key for a node, broker or nats-server.')
    .requiredOption('--kind <kind>', `what it is for: ${KINDS}`)
    .requiredOption('--name <name>', 'node id, broker name or server name')
    .option('--ttl <duration>', 'lifetime, e.g. 30m, 1h, 7d', '1h')
    .option('--san <san...>', 'extra subject alternative names: dns:host, ip:addr, uri:…, or untagged')
    .option('--algorithm <alg>', 'leaf key algorithm: p256 or ed25519', 'p256')
    .addHelpText(
      'after',
      '\nExample:\n  trustmesh pki issue --kind nats-server --name nats-1 --san nats-1.mesh.internal --san 10.0.0.5',
    )
    .action(
      async (
        opts: Common & { kind: string; name: string; ttl: string; san?: string[]; algorithm?: string },
      ) => {
        const out = createOutput(opts.json === true);
        const ca = await loadPki(opts.dir);
        const leaf = await issueToStore(pkiLayout(opts.dir), ca.intermediate, {
          kind: kind(opts.kind),
          name: opts.name,
          ttlMs: parseDuration(opts.ttl, '--ttl'),
          sans: opts.san ?? [],
          algorithm: algorithm(opts.algorithm),
        });
        out.result(describeLeaf('Issued', leaf), { ok: true, certificate: leaf });
      },
    );

  withCommon(pki.command('renew'))
    .description('Issue a fresh certificate and key for an identity issued before (same SANs and lifetime).')
    .requiredOption('--kind <kind>', `what it is for: ${KINDS}`)
    .requiredOption('--name <name>', 'the name it was issued under')
    .addHelpText('after', '\nExample:\n  trustmesh pki renew --kind node --name node-1')
    .action(async (opts: Common & { kind: string; name: string }) => {
      const out = createOutput(opts.json === true);
      const ca = await loadPki(opts.dir);
      const leaf = await renewInStore(pkiLayout(opts.dir), ca.intermediate, kind(opts.kind), opts.name);
      out.result(describeLeaf('Renewed', leaf), { ok: true, certificate: leaf });
    });

  withCommon(pki.command('revoke'))
    .description('Put a certificate serial (or a session token jti) on the revocation list.')
    .option('--serial <serial>', 'certificate serial, hex')
    .option('--jti <jti>', 'session token id')
    .option('--reason <text>', 'why, for the record', 'unspecified')
    .addHelpText('after', '\nExample:\n  trustmesh pki revoke --serial 4f1c… --reason "key compromise"')
    .action(async (opts: Common & { serial?: string; jti?: string; reason: string }) => {
      const out = createOutput(opts.json === true);
      if ((opts.serial === undefined) === (opts.jti === undefined))
        throw new PkiError(
          PkiErrorCode.Options,
          'give exactly one of --serial or --jti to say what to revoke.',
        );
      const list = await FileRevocationList.open(pkiLayout(opts.dir).revocations);
      const entry = await list.revoke({
        kind: opts.serial === undefined ? 'token' : 'cert',
        id: opts.serial ?? opts.jti ?? '',
        reason: opts.reason,
      });
      out.result(
        `Revoked ${entry.kind === 'cert' ? 'certificate' : 'token'} ${entry.id} (${entry.reason}) at ${entry.revokedAt}.\n` +
          'Issue a replacement for that identity with trustmesh pki issue (or renew).',
        { ok: true, revocation: entry },
      );
    });

  withCommon(pki.command('show'))
    .description('List the CA and issued certificates: subjects, serials, expiry, fingerprints (never keys).')
    .addHelpText('after', '\nExample:\n  trustmesh pki show --json')
    .action(async (opts: Common) => {
      const out = createOutput(opts.json === true);
      const layout = pkiLayout(opts.dir);
      const certs = await loadPkiCertificates(opts.dir);
      const [root, intermediate] = await Promise.all([summarize(certs.root), summarize(certs.intermediate)]);
      const revocations = await FileRevocationList.open(layout.revocations);
      const issued = (await listIssued(layout)).map((leaf) => ({
        ...leaf,
        revoked: revocations.isRevoked(leaf.serial),
      }));
      const line = (
        label: string,
        c: { subject: string; serial: string; notAfter: string; fingerprint: string },
      ) =>
        `${label}  ${c.subject}\n    serial ${c.serial}  not after ${c.notAfter}\n    sha256 ${c.fingerprint}`;
      const human = [
        `Mesh PKI in ${layout.dir}`,
        line('root', root),
        line('intermediate', intermediate),
        ...issued.map((leaf) => line(`${leaf.kind} ${leaf.name}${leaf.revoked ? ' (REVOKED)' : ''}`, leaf)),
        issued.length === 0 ? 'No leaf certificates yet: issue one with trustmesh pki issue.' : '',
      ].filter(Boolean);
      out.result(human.join('\n'), { ok: true, dir: layout.dir, root, intermediate, issued });
    });
}
