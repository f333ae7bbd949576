import {
  CONTEXT_ATTRIBUTES,
  type ContextAttribute,
  PRINCIPAL_ATTRIBUTES,
  type PrincipalAttribute,
  TOOL_ATTRIBUTES,
  type ToolAttribute,
} from './schema.js';

/** Which parts of a request a policy set can observe; everything else is left out of the request. */
export interface CedarReads {
  context: ReadonlySet<ContextAttribute>;
  /** Attributes of the Principal entity read; the entity is left out when none are. */
  principal: ReadonlySet<PrincipalAttribute>;
  /** Attributes of the Tool entity read; the entity is left out when none are. */
  resource: ReadonlySet<ToolAttribute>;
}

type Var = 'principal' | 'action' | 'resource' | 'context';

/**
 * Finds what the policies' `conditions` (Cedar's JSON policy format) read. Data only reaches a
 * condition through a variable, so recording `var.attr` / `var has attr` and treating any other use of
 * a variable (compared, passed on, put in a set) as reading all of it over-approximates soundly.
 * Scope constraints only compare entity ids, which every request carries.
 */
export function analyseReads(conditions: readonly unknown[]): CedarReads {
  const seen = new Map<Var, Set<string> | 'all'>();
  const record = (v: Var, attr: string | null): void => {
    const current = seen.get(v);
    if (current === 'all') return;
    if (attr === null) seen.set(v, 'all');
    else if (current) current.add(attr);
    else seen.set(v, new Set([attr]));
  };
  const walkExpr = (expr: unknown): void => {
    if (expr === null || typeof expr !== 'object') return;
    for (const [op, operand] of Object.entries(expr)) {
      if (op === 'Var') record(operand as Var, null);
      else if (op === 'Record') for (const field of Object.values(operand ?? {})) walkExpr(field);
      else if (op === '.' || op === 'has') {
        const access = attributeAccess(operand);
        if (access) record(access.variable, access.attr);
        else walkExpr((operand as { left?: unknown }).left);
      } else if (op !== 'Value' && op !== 'Slot') walkOperands(operand);
    }
  };
  const walkOperands = (operands: unknown): void => {
    if (Array.isArray(operands)) for (const item of operands) walkExpr(item);
    else if (operands !== null && typeof operands === 'object')
      for (const [key, value] of Object.entries(operands)) if (!NOT_EXPRESSIONS.has(key)) walkExpr(value);
  };
  for (const clause of conditions as readonly { body?: unknown }[]) walkExpr(clause.body);
  const pick = <A extends string>(v: Var, all: readonly A[]): ReadonlySet<A> => {
    const read = seen.get(v);
    return new Set(read === 'all' ? all : all.filter((a) => read?.has(a) === true));
  };
  return {
    context: pick('context', CONTEXT_ATTRIBUTES),
    principal: pick('principal', PRINCIPAL_ATTRIBUTES),
    resource: pick('resource', TOOL_ATTRIBUTES),
  };
}

/** Operand keys that hold names or patterns, not expressions. */
const NOT_EXPRESSIONS = new Set(['attr', 'pattern', 'entity_type']);

/** The operand of `.` or `has` when it reads straight from a variable: `{left: {Var}, attr: a | [a, ...]}`. */
function attributeAccess(operand: unknown): { variable: Var; attr: string } | undefined {
  if (operand === null || typeof operand !== 'object') return undefined;
  const { left, attr } = operand as { left?: { Var?: Var }; attr?: unknown };
  const variable = left?.Var;
  const first = Array.isArray(attr) ? attr[0] : attr;
  if (variable === undefined || typeof first !== 'string') return undefined;
  return { variable, attr: first };
}
