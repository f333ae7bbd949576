import type { Command } from 'commander';
import {
  type CommandResult,
  diffCommand,
  explainCommand,
  validateCommand,
} from '../policy/commands/index.js';
import { registerPolicyDistributionCommands } from './policy-distribution.js';

function emit(result: CommandResult): void {
  process.stdout.write(result.stdout);
  process.exitCode = result.exitCode;
}

/**
 * `trustmesh policy validate|explain|diff|push|history|rollback`. The logic lives in src/policy; this
 * only wires flags.
 */
export function registerPolicyCommands(program: Command): void {
  const policy = program
    .command('policy')
    .description('Check, explain, compare and distribute policy (see docs/policy.md).');

  policy
    .command('validate')
    .description('Load policy files or directories and report every problem with file, line and field.')
    .argument('<paths...>', 'policy files or directories of *.yaml / *.yml (catalogue files included)')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      '\nExample:\n  trustmesh policy validate policy/ brokers/catalogue.yaml\n\nExit codes: 0 valid, 1 invalid.',
    )
    .action(async (paths: string[], opts: { json?: boolean }) =>
      emit(await validateCommand({ paths, json: opts.json })),
    );

  policy
    .command('explain')
    .description('Decide one call the way a session would, and say which rule decided and why.')
    .requiredOption('--policy <paths...>', 'policy files or directories')
    .requiredOption('--purpose <name>', 'the session purpose')
    .requiredOption('--tool <server.tool>', 'the tool (or, with --method, the server)')
    .option('--method <method>', 'an MCP method other than tools/call, e.g. resources/read')
    .option('--args <json>', 'the call arguments as a JSON object')
    .option('--state <state>', 'session state: active, scrutinised, readOnly, suspended, reauth', 'active')
    .option('--history <json>', 'earlier successful calls: [{"tool":"server.tool","args":{...}}]')
    .option('--principal <id>', 'the calling principal (default: the grant user)')
    .option('--at <time>', 'decide at this ISO 8601 time instead of now')
    .option('--json', 'print the decision as JSON')
    .addHelpText(
      'after',
      `\nExample:\n  trustmesh policy explain --policy policy/ --purpose code-review --tool github.create_comment \\\n    --args '{"owner":"org","repo":"repo","pull_number":5}' \\\n    --history '[{"tool":"github.get_pull_request","args":{"owner":"org","repo":"repo","pull_number":5}}]'\n\nExit codes: 0 explained (whatever the verdict), 1 invalid policy, 2 bad flags.`,
    )
    .action(async (opts: Record<string, string | string[] | boolean | undefined>) =>
      emit(
        await explainCommand({
          policy: opts.policy as string[],
          purpose: opts.purpose as string,
          tool: opts.tool as string,
          method: opts.method as string | undefined,
          args: opts.args as string | undefined,
          state: opts.state as string | undefined,
          history: opts.history as string | undefined,
          principal: opts.principal as string | undefined,
          at: opts.at as string | undefined,
          json: opts.json === true,
        }),
      ),
    );

  policy
    .command('diff')
    .description('List the (purpose, tool) grants added, removed or changed between two policies.')
    .argument('<a>', 'the policy before (file or directory)')
    .argument('<b>', 'the policy after (file or directory)')
    .option('--json', 'print the changes as JSON')
    .addHelpText(
      'after',
      '\nExample:\n  trustmesh policy diff old-policy/ policy/\n\nExit codes: 0 same grants, 1 grants differ, 2 a policy is invalid.',
    )
    .action(async (a: string, b: string, opts: { json?: boolean }) =>
      emit(await diffCommand({ a: [a], b: [b], json: opts.json })),
    );

  registerPolicyDistributionCommands(policy);
}
