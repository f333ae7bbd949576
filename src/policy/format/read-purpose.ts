import { Tier } from '../vocabulary.js';
import { readDuration, readLimits } from './read-limits.js';
import type { Entry, NodeReader } from './reader.js';
import { Approval, type RawGrant, type RawPurpose } from './schema.js';

const GRANT_KEYS = ['allowed', 'scope', 'exclude', 'requires', 'approval', 'limits', 'conditions'] as const;
const PURPOSE_KEYS = ['tier', 'ttl', 'limits', 'conditions', 'tools', 'methods'] as const;
const SESSION_KEYS = ['id', 'user', 'purpose', ...PURPOSE_KEYS] as const;
const TIERS = Object.values(Tier);
const APPROVALS = Object.values(Approval);

function readGrant(r: NodeReader, entry: Entry): RawGrant | undefined {
  const f = r.fields(entry.node, entry.loc, GRANT_KEYS);
  if (!f) return undefined;
  if (!f.has('allowed')) r.fail(entry.loc, 'missing "allowed: true" or "allowed: false"');
  return {
    key: entry.key,
    loc: entry.loc,
    allowed: r.boolean(f.get('allowed')),
    scope: r.strings(f.get('scope')),
    exclude: r.strings(f.get('exclude')),
    requires: r.strings(f.get('requires')),
    approval: r.oneOf(f.get('approval'), APPROVALS),
    limits: readLimits(r, f.get('limits')),
    conditions: r.embedded(f.get('conditions')),
  };
}

function readGrants(r: NodeReader, entry: Entry | undefined): RawGrant[] {
  if (!entry) return [];
  const entries = r.entries(entry.node, entry.loc) ?? [];
  return entries.map((e) => readGrant(r, e)).filter((g) => g !== undefined);
}

function readBody(r: NodeReader, name: string, entry: Entry, f: Map<string, Entry>): RawPurpose {
  return {
    name,
    loc: entry.loc,
    tier: r.oneOf(f.get('tier'), TIERS),
    ttl: readDuration(r, f.get('ttl')),
    limits: readLimits(r, f.get('limits')),
    conditions: r.embedded(f.get('conditions')),
    tools: readGrants(r, f.get('tools')),
    methods: readGrants(r, f.get('methods')),
  };
}

/** `purposes:`: each key is a purpose a session can be created for. */
export function readPurposes(r: NodeReader, entry: Entry): RawPurpose[] {
  const out: RawPurpose[] = [];
  for (const e of r.entries(entry.node, entry.loc) ?? []) {
    const f = r.fields(e.node, e.loc, PURPOSE_KEYS);
    if (f) out.push(readBody(r, e.key, e, f));
  }
  return out;
}

/** The seed's `session:` grant: one purpose, optionally bound to a session id and a user. */
export function readSession(r: NodeReader, entry: Entry): RawPurpose | undefined {
  const f = r.fields(entry.node, entry.loc, SESSION_KEYS);
  if (!f) return undefined;
  const purpose = r.string(f.get('purpose'));
  if (!f.has('purpose')) r.fail(entry.loc, 'a session grant needs "purpose: <name>"');
  if (!purpose) return undefined;
  const body = readBody(r, purpose.value, entry, f);
  return { ...body, session: { id: r.string(f.get('id')), user: r.string(f.get('user')) } };
}
