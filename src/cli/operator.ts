import { userInfo } from 'node:os';
import type { NatsConnection } from '@nats-io/transport-node';
import { type Command, InvalidArgumentError } from 'commander';
import { ControlError, ControlErrorCode, MeshControl } from '../actors/control/index.js';
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
    throw err instanceof ControlError ? forOperator(err, target) : err;
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
  const name = process.env.USER || userInfo().username;
  if (!name) throw new InvalidArgumentError(`cannot tell who you are; pass ${flag} <name>.`);
  return name;
}
