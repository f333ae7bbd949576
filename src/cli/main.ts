import { Command, CommanderError } from 'commander';
import { registerApprovalsCommands } from './approvals.js';
import { registerAuditCommands } from './audit.js';
import { registerBaselineCommands } from './baseline.js';
import { registerBridgeCommand } from './bridge.js';
import { registerBrokerCommands } from './broker.js';
import { registerDeployCommands } from './deploy.js';
import { registerNodeCommand } from './node.js';
import { reportFailure } from './output.js';
import { registerPkiCommands } from './pki.js';
import { registerPolicyCommands } from './policy.js';
import { registerSessionCommands } from './session-create.js';
import { registerSessionsCommands } from './sessions.js';
import { registerUpCommand } from './up.js';

export function buildProgram(): Command {
  const program = new Command('trustmesh')
    .description('A zero-trust session mesh for MCP: every tool call verified.')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerUpCommand(program);
  registerNodeCommand(program);
  registerBridgeCommand(program);
  registerPolicyCommands(program);
  registerSessionCommands(program);
  registerSessionsCommands(program);
  registerApprovalsCommands(program);
  registerBrokerCommands(program);
  registerPkiCommands(program);
  registerBaselineCommands(program);
  registerAuditCommands(program);
  registerDeployCommands(program);
  return program;
}

/** Runs the CLI and returns its exit code (never calls process.exit, so it is testable in-process). */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    return reportFailure(err, argv.includes('--json'));
  }
}
