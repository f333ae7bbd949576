import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import {
  type HistoryEntry,
  openPolicyBucket,
  POLICY_BUCKET,
  type PushResult,
  policyHistory,
  pushPolicy,
  rollbackPolicy,
} from '../policy/distribution/index.js';
import { readPolicyFiles } from '../policy/index.js';
import { type OperatorFlags, operatorName, runOperator, withOperatorFlags } from './operator.js';
import { formatInstant, renderTable } from './table.js';

interface PushFlags extends OperatorFlags {
  operator?: string;
  replicas: number;
}

function positiveInt(what: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < 1)
      throw new InvalidArgumentError(`expected ${what}, a whole number ≥ 1.`);
    return n;
  };
}

function pushedText(verb: string, result: PushResult): string {
  if (result.unchanged) {
    return `policy ${result.version} is already the mesh policy (revision ${result.revision}); nothing was pushed.`;
  }
  return (
    `${verb} policy ${result.version} as revision ${result.revision} of ${POLICY_BUCKET}; every node reloads it now ` +
    "and its sessions decide their next call with it. Check with 'trustmesh policy history'."
  );
}

/** `trustmesh policy push|history|rollback`: the mesh policy in its KV bucket. */
export function registerPolicyDistributionCommands(policy: Command): void {
  withOperatorFlags(policy.command('push'))
    .description(
      'Validate policy files and make them the mesh policy: every node hot-reloads the new version.',
    )
    .argument('<paths...>', 'policy files or directories of *.yaml / *.yml')
    .option('--operator <name>', 'who pushes, recorded with the bundle (default: $USER)')
    .option(
      '--replicas <n>',
      `replicas of ${POLICY_BUCKET} if this push creates it (3 on a 3-node cluster)`,
      positiveInt('a replica count'),
      1,
    )
    .addHelpText(
      'after',
      '\nExample:\n  trustmesh policy push policy/ --nats nats://10.0.0.5:4222\n\n' +
        'An invalid policy is refused with every problem listed, and nothing is written. Exit codes: 0 pushed or unchanged, 1 refused.',
    )
    .action(async (paths: string[], flags: PushFlags) => {
      const pushedBy = flags.operator ?? operatorName('--operator');
      // Read and validate before connecting: an invalid policy never needs the mesh to be refused.
      const files = await readPolicyFiles(paths);
      await runOperator(flags, {}, async ({ nc, out }) => {
        const kv = await openPolicyBucket(nc, { replicas: flags.replicas });
        const result = await pushPolicy(kv, files, { pushedBy });
        out.result(pushedText('Pushed', result), { ok: true, ...result });
      });
    });

  withOperatorFlags(policy.command('history'))
    .description(`List the policy versions ${POLICY_BUCKET} keeps (newest first), marking the one in force.`)
    .addHelpText('after', '\nExample:\n  trustmesh policy history --json')
    .action((flags: OperatorFlags) =>
      runOperator(flags, {}, async ({ nc, out }) => {
        const history = await policyHistory(await openPolicyBucket(nc));
        out.result(historyText(history), { ok: true, history });
      }),
    );

  withOperatorFlags(policy.command('rollback'))
    .description('Make an earlier pushed version the mesh policy again (pushed anew as the newest revision).')
    .argument(
      '<revision>',
      "the revision to go back to (see 'trustmesh policy history')",
      positiveInt('a revision'),
    )
    .option('--operator <name>', 'who rolls back, recorded with the bundle (default: $USER)')
    .addHelpText('after', '\nExample:\n  trustmesh policy rollback 7')
    .action((revision: number, flags: OperatorFlags & { operator?: string }) => {
      const pushedBy = flags.operator ?? operatorName('--operator');
      return runOperator(flags, {}, async ({ nc, out }) => {
        const result = await rollbackPolicy(await openPolicyBucket(nc), revision, { pushedBy });
        out.result(pushedText(`Rolled back to revision ${revision}:`, result), {
          ok: true,
          from: revision,
          ...result,
        });
      });
    });
}

function historyText(history: readonly HistoryEntry[]): string {
  if (history.length === 0)
    return "No policy was pushed yet: push one with 'trustmesh policy push <file|dir>'.";
  const rows = history.map((e) => [
    `${e.inForce ? '*' : ' '} ${e.revision}`,
    e.version.slice(0, 19),
    formatInstant(e.pushedAt),
    e.pushedBy,
    e.files.join(','),
    e.valid ? '' : 'rejected by nodes',
  ]);
  return `${renderTable(['  REVISION', 'VERSION', 'PUSHED', 'BY', 'FILES', ''], rows)}\n* in force on every node. Roll back with 'trustmesh policy rollback <revision>'.`;
}
