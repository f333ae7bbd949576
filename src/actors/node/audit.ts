import { join, resolve } from 'node:path';
import type { NatsConnection } from '@nats-io/transport-node';
import {
  type AuditFileSystem,
  AuditLog,
  Auditor,
  AuditShipper,
  type RedactionOptions,
  Redactor,
} from '../../audit/index.js';
import type { Clock } from '../../clock.js';

/** The node's audit: where the log lives, what is redacted, how the stream is replicated. */
export interface NodeAuditOptions {
  /** Directory of the local log, the durable point. @default `<stateDir>/audit` */
  readonly dir?: string;
  /** Configured sensitive keys, and keys kept or dropped, on top of the default rules. @default {} */
  readonly redaction?: RedactionOptions;
  /**
   * Replicas of the audit stream when the node creates it.
   * @default 3 on a cluster of three or more servers, else as many servers as there are
   */
  readonly replicas?: number;
  /** Where the log opens its files. @default the real file system */
  readonly fileSystem?: AuditFileSystem;
}

/** Where `trustmesh node` keeps its audit log inside its state directory. */
export function nodeAuditDir(stateDir: string): string {
  return join(resolve(stateDir), 'audit');
}

/**
 * The node's one audit log and its shipper: sessions record through `auditor` (durable before a call
 * runs), the shipper copies what is durable to the replicated audit stream without delaying calls.
 */
export class NodeAudit {
  private constructor(
    readonly auditor: Auditor,
    readonly dir: string,
    private readonly log: AuditLog,
    private readonly shipper: AuditShipper,
  ) {}

  static async open(
    nc: NatsConnection,
    options: { stateDir: string; prefix: string; clock: Clock; audit: NodeAuditOptions },
  ): Promise<NodeAudit> {
    const { audit } = options;
    const dir = audit.dir ?? nodeAuditDir(options.stateDir);
    // Checked first: bad redaction options fail the start before anything is opened.
    new Redactor(audit.redaction);
    let shipper: AuditShipper | undefined;
    const log = await AuditLog.open({
      dir,
      onDurable: () => shipper?.notify(),
      ...(audit.fileSystem ? { fileSystem: audit.fileSystem } : {}),
    });
    try {
      shipper = await AuditShipper.open({
        connection: nc,
        dir,
        prefix: options.prefix,
        replicas: audit.replicas ?? clusterReplicas(nc),
      });
    } catch (err) {
      await log.close();
      throw err;
    }
    shipper.run();
    return new NodeAudit(
      new Auditor({ log, redaction: audit.redaction ?? {}, clock: options.clock }),
      dir,
      log,
      shipper,
    );
  }

  /** Stops shipping after the batch in flight, then closes the log (the next start ships the rest). */
  async close(): Promise<void> {
    await this.shipper.stop();
    await this.log.close();
  }
}

/** Up to 3 replicas, as many as the servers the connection was told about (1 when not clustered). */
function clusterReplicas(nc: NatsConnection): number {
  const info = nc.info;
  if (info?.cluster === undefined) return 1;
  return Math.max(1, Math.min(3, info.connect_urls?.length ?? 1));
}
