import { createHash } from 'node:crypto';
import {
  type DetailedError,
  type PolicyJson,
  policyToJson,
  preparsePolicySet,
  type SchemaJson,
  schemaToJson,
  validate,
} from '@cedar-policy/cedar-wasm/nodejs';
import { type PolicyIssue, PolicyValidationError } from '../issues.js';
import { type CompiledStatement, createConditions } from './evaluate.js';
import { analyseReads } from './reads.js';
import { CEDAR_SCHEMA } from './schema.js';
import { type CedarStatement, lineAt, splitStatements } from './statements.js';
import type { CedarConditions, CedarSource } from './types.js';

interface ParsedStatement extends CedarStatement {
  id: string;
  json: PolicyJson;
}

/**
 * Parses the statements of every source, validates them together against {@link CEDAR_SCHEMA} in
 * strict mode and hands cedar-wasm the parsed set once, so a call only pays for its request.
 * Throws PolicyValidationError naming the file, line and field of every statement that fails.
 */
export function compileCedarConditions(sources: readonly CedarSource[]): CedarConditions {
  const issues: PolicyIssue[] = [];
  const parsed: ParsedStatement[] = [];
  let count = 0;
  for (const source of sources) {
    const statements = splitStatements(source);
    if (statements.length === 0) {
      issues.push({
        ...locate(source, source.line),
        message:
          'holds no Cedar statement; write a permit(...) or forbid(...) statement ending in ";", or remove the field',
      });
    }
    for (const statement of statements) {
      const id = `s${count}`;
      count += 1;
      const answer = policyToJson(statement.text);
      if (answer.type === 'success') parsed.push({ ...statement, id, json: answer.json });
      else issues.push(...answer.errors.map((e) => toIssue(statement, 'does not parse', e)));
    }
  }
  if (issues.length > 0) throw new PolicyValidationError(issues);
  const policies = { staticPolicies: Object.fromEntries(parsed.map((s) => [s.id, s.text])) };
  const validation = validate({ schema: schemaJson(), policies, validationSettings: { mode: 'strict' } });
  if (validation.type === 'failure') {
    throw new PolicyValidationError(
      validation.errors.map((e) => toIssue(parsed[0]!, 'cannot be validated', e)),
    );
  }
  const byId = new Map(parsed.map((s) => [s.id, s]));
  const invalid = validation.validationErrors.map(({ policyId, error }) =>
    toIssue(byId.get(policyId) ?? parsed[0]!, 'fails validation against the trustmesh Cedar schema', error),
  );
  if (invalid.length > 0) throw new PolicyValidationError(invalid);
  const policySetId = `trustmesh-${createHash('sha256').update(JSON.stringify(policies)).digest('hex')}`;
  const preparsed = preparsePolicySet(policySetId, policies);
  if (preparsed.type === 'failure') {
    throw new PolicyValidationError(preparsed.errors.map((e) => toIssue(parsed[0]!, 'does not parse', e)));
  }
  const statements: CompiledStatement[] = parsed.map((s) => ({
    id: s.id,
    effect: s.json.effect,
    rule: `${s.source.file}:${s.line}`,
  }));
  return createConditions(policySetId, statements, analyseReads(parsed.flatMap((s) => s.json.conditions)));
}

let cachedSchema: SchemaJson<string> | undefined;

/** The schema in Cedar's JSON form, converted once: validating against it is several times faster. */
function schemaJson(): SchemaJson<string> {
  if (!cachedSchema) {
    const answer = schemaToJson(CEDAR_SCHEMA);
    if (answer.type === 'failure')
      throw new Error(`the built-in Cedar schema does not parse: ${answer.errors[0]?.message}`);
    cachedSchema = answer.json;
  }
  return cachedSchema;
}

function locate(source: CedarSource, line: number): Omit<PolicyIssue, 'message'> {
  return { file: source.file, line, field: source.field };
}

/** Places a Cedar diagnostic on the file line it points at, quoting the offending text. */
function toIssue(statement: CedarStatement, what: string, error: DetailedError): PolicyIssue {
  const where = error.sourceLocations?.[0];
  const line = where ? lineAt(statement.source, statement.offset + where.start) : statement.line;
  const quoted =
    where && where.end > where.start ? ` at \`${statement.text.slice(where.start, where.end)}\`` : '';
  const label = where?.label ? ` (${where.label})` : '';
  const help = error.help ? ` Hint: ${error.help.replace(/[.?!]?$/, (end) => end || '.')}` : '';
  return {
    ...locate(statement.source, line),
    message: `Cedar statement ${what}: ${cleanMessage(error.message)}${quoted}${label}.${help} Fix the statement and load the policy again.`,
  };
}

/** Drops the prefixes naming the adapter's internal policy ids, which mean nothing in a policy file. */
function cleanMessage(message: string): string {
  return message
    .replace(/^failed to parse policy( with id `[^`]*`)? from string: /, '')
    .replace(/^for policy `[^`]*`, /, '');
}
