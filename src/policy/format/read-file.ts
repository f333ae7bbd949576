import { isAlias, isScalar, LineCounter, parseDocument } from 'yaml';
import type { PolicyIssue } from '../issues.js';
import { Effect } from '../vocabulary.js';
import { readPurposes, readSession } from './read-purpose.js';
import { type Entry, NodeReader } from './reader.js';
import { type RawCatalogueServer, type RawPolicyFile, type RawPurpose, ResourceKind } from './schema.js';

/** One policy source: a file name (as it should appear in errors and rules) and its text. */
export interface PolicyFile {
  readonly name: string;
  readonly text: string;
}

const TOP_KEYS = ['purposes', 'session', 'catalogue'] as const;
const SERVER_KEYS = ['root', 'tools'] as const;
const TOOL_KEYS = ['effect', 'resource', 'kind', 'caseInsensitive', 'audit'] as const;
const AUDIT_KEYS = ['keep', 'drop'] as const;
const EFFECTS = Object.values(Effect);
const KINDS = Object.values(ResourceKind);

function readCatalogue(r: NodeReader, entry: Entry): RawCatalogueServer[] {
  const out: RawCatalogueServer[] = [];
  for (const server of r.entries(entry.node, entry.loc) ?? []) {
    const f = r.fields(server.node, server.loc, SERVER_KEYS);
    if (!f) continue;
    const tools = (
      f.get('tools') ? (r.entries(f.get('tools')!.node, f.get('tools')!.loc) ?? []) : []
    ).flatMap((tool) => {
      const t = r.fields(tool.node, tool.loc, TOOL_KEYS);
      if (!t) return [];
      if (!t.has('effect')) r.fail(tool.loc, `missing "effect" (one of ${EFFECTS.join(', ')})`);
      const audit = t.get('audit');
      const a = audit ? r.fields(audit.node, audit.loc, AUDIT_KEYS) : undefined;
      return [
        {
          name: tool.key,
          loc: tool.loc,
          effect: r.oneOf(t.get('effect'), EFFECTS),
          resource: r.string(t.get('resource')),
          kind: r.oneOf(t.get('kind'), KINDS),
          caseInsensitive: r.boolean(t.get('caseInsensitive')),
          ...(a ? { audit: { keep: r.strings(a.get('keep')), drop: r.strings(a.get('drop')) } } : {}),
        },
      ];
    });
    out.push({ name: server.key, loc: server.loc, root: r.string(f.get('root')), tools });
  }
  return out;
}

/**
 * Parses one YAML policy file into raw, located documents. Never throws: every problem becomes a
 * PolicyIssue in `issues`, so a caller can report all of them at once.
 */
export function readPolicyFile(file: PolicyFile, issues: PolicyIssue[]): RawPolicyFile {
  const lines = new LineCounter();
  const doc = parseDocument(file.text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const empty: RawPolicyFile = { file: file.name, purposes: [], catalogue: [] };
  if (doc.errors.length > 0) {
    for (const err of doc.errors) {
      const pos = lines.linePos(err.pos[0]);
      const message = err.message.split('\n')[0] ?? err.message;
      issues.push({
        file: file.name,
        line: pos.line,
        column: pos.col,
        field: '',
        message: `YAML syntax: ${message}`,
      });
    }
    return empty;
  }
  const r = new NodeReader(file.name, lines, issues);
  const root = doc.contents;
  if (root === null || (isScalar(root) && root.value === null && !isAlias(root))) {
    r.fail(r.loc(null, ''), 'the file is empty; add "purposes:", "session:" or "catalogue:"');
    return empty;
  }
  const f = r.fields(root, r.loc(root, ''), TOP_KEYS);
  if (!f) return empty;
  const purposes: RawPurpose[] = f.get('purposes') ? readPurposes(r, f.get('purposes')!) : [];
  const session = f.get('session') ? readSession(r, f.get('session')!) : undefined;
  if (session) purposes.push(session);
  const catalogue = f.get('catalogue') ? readCatalogue(r, f.get('catalogue')!) : [];
  return { file: file.name, purposes, catalogue };
}
