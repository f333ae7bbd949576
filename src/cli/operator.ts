import { userInfo } from 'node:os';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Command } from 'commander';
import { ControlError, ControlErrorCode, MeshControl } from '../actors/control/index.js';
import { TrustmeshError } from '../errors.js';
import {
  connectToMesh,
  type MeshConnectionFlags,
  type MeshInfo,
  resolveMesh,
  withMeshFlags,
} from './mesh-connection.js';
import { createOutput, type Output } from './output.js';

/** The flags of every operator command: where the mesh is, and whether scripts read the output. */
export interface OperatorFlags extends MeshConnectionFlags {
  json?: boolean;
}

/** What an operator command is about, so a failure can name it. */
export interface OperatorTarget {
  sid?: string;
  callId?: string;
}

export interface OperatorContext {
  readonly control: MeshControl;
  readonly nc: NatsConnection;
  readonly mesh: MeshInfo;
  readonly out: Output;
}

/** A NATS or JetStream failure while talking to the mesh. */
export class MeshRequestError extends TrustmeshError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_MESH_REQUEST', message, options);
  }
}

/** Adds the mesh flags and --json. */
export function withOperatorFlags(command: Command): Command {
  return withMeshFlags(command).option('--json', 'print one JSON object on stdout, for scripts');
}

/**
 * Connects to the mesh, runs `work` with a control client, and closes the connection whatever
 * happens; control-plane failures come back phrased as what the operator should run next.
 */
export async function runOperator(
  flags: OperatorFlags,
  target: OperatorTarget,
  work: (context: OperatorContext) => Promise<void>,
): Promise<void> {
  const out = createOutput(flags.json === true);
  const mesh = await resolveMesh(flags);
  const nc = await connectToMesh(mesh, `trustmesh-operator-${process.pid}`);
  try {
    await work({ control: new MeshControl({ nc, prefix: mesh.prefix }), nc, mesh, out });
  } catch (err) {
    if (err instanceof ControlError) throw forOperator(err, target);
    if (err instanceof TrustmeshError) throw err;
    // NATS and JetStream failures (registry and approvals buckets) arrive untyped.
    throw new MeshRequestError(
      `the mesh at ${mesh.natsUrl} failed the request (${err instanceof Error ? err.message : String(err)}). ` +
        'Check that the NATS server runs with JetStream enabled and a mesh node is connected, then retry.',
      { cause: err },
    );
  } finally {
    await nc.close();
  }
}

/** The node's message names control verbs; operators need the CLI command that helps. */
function forOperator(err: ControlError, target: OperatorTarget): ControlError {
  switch (err.code) {
    case ControlErrorCode.UnknownSession:
      return new ControlError(
        err.code,
        `no mesh node hosts session ${target.sid ?? '(unknown)'}: it ended, was killed, or never existed. ` +
          "Run 'trustmesh sessions list' to see the live sessions.",
        { cause: err },
      );
    case ControlErrorCode.NoPendingApproval:
      return new ControlError(err.code, goneApprovalMessage(target.callId ?? '(unknown)'), { cause: err });
    default:
      return err;
  }
}

export function goneApprovalMessage(callId: string): string {
  return (
    `call ${callId} is not waiting for approval: it was already answered, it timed out (a timeout denies ` +
    "the call), or its session ended. Run 'trustmesh approvals list' to see the calls still waiting."
  );
}

/** Who is at the keyboard, for the history and the approval record: $USER, then the OS account. */
export function operatorName(flag: string): string {
  let name = process.env.USER;
  try {
    name ||= userInfo().username;
  } catch {
    // No passwd entry (common in containers): the flag is the only way to say who acts.
  }
  if (!name) throw new OperatorNameError(`cannot tell who you are ($USER is not set); pass ${flag} <name>.`);
  return name;
}

export class OperatorNameError extends TrustmeshError {
  constructor(message: string) {
    super('ERR_OPERATOR_NAME', message);
  }
}
