export { type DiffArgs, diffBundles, diffCommand, type GrantChange } from './diff.js';
export { type ExplainArgs, explainCommand } from './explain.js';
export { type CommandResult, ExitCode } from './result.js';
export { type ValidateArgs, validateCommand } from './validate.js';
