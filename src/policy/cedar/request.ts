import type { CedarValueJson, EntityJson } from '@cedar-policy/cedar-wasm/nodejs';
import { type CalendarFields, calendarFields } from './calendar.js';
import type { CedarReads } from './reads.js';
import { CedarName, type ContextAttribute } from './schema.js';
import type { CedarCallContext } from './types.js';

/** The parts of a Cedar authorization request that vary per call. */
export interface CedarRequest {
  principal: { type: string; id: string };
  action: { type: string; id: string };
  resource: { type: string; id: string };
  context: Record<string, CedarValueJson>;
  entities: EntityJson[];
}

const ACTION = { type: CedarName.ActionType, id: CedarName.Call };
const ARGS = { type: CedarName.Args, id: CedarName.Call };
const HISTORY = { type: CedarName.History, id: CedarName.Call };

/**
 * Builds the smallest request that evaluates like the full one: only the context attributes and
 * entities the policy set reads (crossing into wasm costs per value). Throws RangeError when the
 * time zone is unknown.
 */
export function buildRequest(ctx: CedarCallContext, reads: CedarReads): CedarRequest {
  const principal = { type: CedarName.Principal, id: ctx.principal };
  const resource = { type: CedarName.Tool, id: `${ctx.server}.${ctx.tool}` };
  const entities: EntityJson[] = [];
  if (reads.principal.size > 0) {
    const all = { purpose: ctx.purpose, tier: ctx.tier };
    entities.push({ uid: principal, attrs: pick(all, reads.principal), parents: [] });
  }
  if (reads.resource.size > 0) {
    const all = { server: ctx.server, name: ctx.tool, effect: ctx.effect };
    entities.push({ uid: resource, attrs: pick(all, reads.resource), parents: [] });
  }
  const context: Record<string, CedarValueJson> = {};
  let calendar: CalendarFields | undefined;
  const time = (): CalendarFields => {
    calendar ??= calendarFields(ctx.now, ctx.timeZone);
    return calendar;
  };
  for (const attribute of reads.context) {
    context[attribute] = contextValue(attribute, ctx, time);
    if (attribute === 'args')
      entities.push({ uid: ARGS, attrs: {}, parents: [], tags: scalarArgs(ctx.args) });
    if (attribute === 'history')
      entities.push({ uid: HISTORY, attrs: {}, parents: [], tags: calledCounts(ctx) });
  }
  return { principal, action: ACTION, resource, context, entities };
}

function contextValue(
  attribute: ContextAttribute,
  ctx: CedarCallContext,
  time: () => CalendarFields,
): CedarValueJson {
  switch (attribute) {
    case 'state':
      return ctx.state;
    case 'tier':
      return ctx.tier;
    case 'purpose':
      return ctx.purpose;
    case 'resource':
      return ctx.resource ?? '';
    case 'argKeys':
      return Object.keys(ctx.args);
    case 'args':
      return { __entity: ARGS };
    case 'calledTools':
      return Object.keys(calledCounts(ctx));
    case 'history':
      return { __entity: HISTORY };
    case 'callsTotal':
      return ctx.callsTotal;
    case 'hour':
      return time().hour;
    case 'minuteOfDay':
      return time().minuteOfDay;
    case 'weekday':
      return time().weekday;
    case 'epochSeconds':
      return Math.floor(ctx.now / 1000);
  }
}

/** Each attribute costs microseconds to cross into wasm, so only those read are sent. */
function pick<A extends string>(
  all: Record<A, string>,
  read: ReadonlySet<A>,
): Record<string, CedarValueJson> {
  const attrs: Record<string, CedarValueJson> = {};
  for (const attribute of read) attrs[attribute] = all[attribute];
  return attrs;
}

/** Top-level scalar arguments as strings; objects, arrays and nulls have no tag. */
function scalarArgs(args: Readonly<Record<string, unknown>>): Record<string, CedarValueJson> {
  const tags: Record<string, CedarValueJson> = {};
  for (const [key, value] of Object.entries(args)) {
    if (typeof value === 'string') tags[key] = value;
    else if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
      tags[key] = String(value);
  }
  return tags;
}

/** Tools with at least one successful call, and their counts. */
function calledCounts(ctx: CedarCallContext): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const [tool, count] of Object.entries(ctx.history)) if (count > 0) counts[tool] = count;
  return counts;
}
