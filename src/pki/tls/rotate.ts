import { PkiError, PkiErrorCode } from '../ca/errors.js';
import { writeFileAtomically } from '../key-store.js';
import type { NatsTlsFiles } from './server-config.js';

/** A running nats-server whose TLS files we own. */
export interface ReloadableNatsServer {
  pid: number;
  /** Monitoring base URL: `/varz` tells when the configuration was (re)loaded. */
  monitorUrl: string;
}

export interface RotationOptions {
  /** How long to wait for nats-server to report the reload. @default 10_000 */
  timeoutMs?: number;
}

const DEFAULT_ROTATION_TIMEOUT_MS = 10_000;
const POLL_MS = 25;

/**
 * Replaces the server certificate and key without a restart: writes the new files, sends SIGHUP
 * (nats-server reloads its configuration, TLS included) and resolves once the server reports the
 * reload. Open connections keep their session; new handshakes present the new certificate.
 */
export async function rotateNatsServerCertificate(
  server: ReloadableNatsServer,
  files: Pick<NatsTlsFiles, 'certFile' | 'keyFile'>,
  next: { chainPem: string; keyPem: string },
  options: RotationOptions = {},
): Promise<void> {
  const before = await configLoadTime(server.monitorUrl);
  await writeFileAtomically(files.keyFile, next.keyPem, true);
  await writeFileAtomically(files.certFile, next.chainPem, false);
  await reloadNatsServer(server, before, options.timeoutMs ?? DEFAULT_ROTATION_TIMEOUT_MS);
}

async function reloadNatsServer(
  server: ReloadableNatsServer,
  before: string,
  timeoutMs: number,
): Promise<void> {
  try {
    process.kill(server.pid, 'SIGHUP');
  } catch (cause) {
    throw new PkiError(
      PkiErrorCode.Store,
      `cannot signal nats-server pid ${server.pid} to reload; is it running?`,
      {
        cause,
      },
    );
  }
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await configLoadTime(server.monitorUrl).catch(() => before)) !== before) return;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  throw new PkiError(
    PkiErrorCode.Store,
    `nats-server pid ${server.pid} did not report a configuration reload within ${timeoutMs} ms; ` +
      'read its log: a certificate it cannot load makes it keep the old one.',
  );
}

async function configLoadTime(monitorUrl: string): Promise<string> {
  const response = await fetch(`${monitorUrl}/varz`);
  const varz = (await response.json()) as { config_load_time?: string };
  if (typeof varz.config_load_time !== 'string')
    throw new PkiError(
      PkiErrorCode.Store,
      `${monitorUrl}/varz has no config_load_time; is it a nats-server ≥ 2.2?`,
    );
  return varz.config_load_time;
}
