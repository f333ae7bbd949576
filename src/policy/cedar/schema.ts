/**
 * The Cedar schema every trustmesh condition is validated against (strict mode), and the names the
 * adapter uses to build requests that match it.
 *
 * Exposure choices, because a strict schema cannot type arbitrary JSON:
 * - `resource` is the canonical resource the tool's scope applies to, `""` when the tool has none
 *   (a plain String keeps conditions free of `has` guards).
 * - Arguments: `context.argKeys` lists every top-level argument name; `context.args` is an entity
 *   whose tags are the top-level *scalar* arguments as strings (numbers in JavaScript decimal form,
 *   booleans as "true"/"false"), read with `context.args.hasTag("path")` and
 *   `context.args.getTag("path") like "src/*"`. Objects, arrays and nulls are only visible in `argKeys`.
 * - History: `context.calledTools` is the set of `server.tool` that succeeded earlier in the session,
 *   `context.history` an entity whose Long tags count them (`context.history.getTag("github.get_pull_request") >= 2`),
 *   `context.callsTotal` all successful calls.
 * - Time, in the session's time zone: `hour` (0–23), `minuteOfDay` (0–1439), `weekday` ("mon".."sun");
 *   `epochSeconds` is zone-free.
 */
export const CEDAR_SCHEMA = `
entity Principal = { purpose: String, tier: String };
entity Tool = { server: String, name: String, effect: String };
entity Args tags String;
entity History tags Long;
action call appliesTo {
  principal: Principal,
  resource: Tool,
  context: {
    state: String,
    tier: String,
    purpose: String,
    resource: String,
    argKeys: Set<String>,
    args: Args,
    calledTools: Set<String>,
    history: History,
    callsTotal: Long,
    hour: Long,
    minuteOfDay: Long,
    weekday: String,
    epochSeconds: Long,
  },
};
`;

/** Entity types and the single action of {@link CEDAR_SCHEMA}. */
export const CedarName = {
  Principal: 'Principal',
  Tool: 'Tool',
  Args: 'Args',
  History: 'History',
  ActionType: 'Action',
  Call: 'call',
} as const;

/** The context attributes of {@link CEDAR_SCHEMA}, in schema order. */
export const CONTEXT_ATTRIBUTES = [
  'state',
  'tier',
  'purpose',
  'resource',
  'argKeys',
  'args',
  'calledTools',
  'history',
  'callsTotal',
  'hour',
  'minuteOfDay',
  'weekday',
  'epochSeconds',
] as const;
export type ContextAttribute = (typeof CONTEXT_ATTRIBUTES)[number];

/** Attributes of the `Principal` and `Tool` entity types. */
export const PRINCIPAL_ATTRIBUTES = ['purpose', 'tier'] as const;
export type PrincipalAttribute = (typeof PRINCIPAL_ATTRIBUTES)[number];
export const TOOL_ATTRIBUTES = ['server', 'name', 'effect'] as const;
export type ToolAttribute = (typeof TOOL_ATTRIBUTES)[number];
