import { isAbsolute } from 'node:path';
import { issueAt, type Located, ruleOf } from '../format/located.js';
import { type RawCatalogueServer, type RawCatalogueTool, ResourceKind } from '../format/schema.js';
import type { PolicyIssue } from '../issues.js';
import { parseTemplate } from '../resource/template.js';
import type { AuditRedaction, CatalogueEntry } from './bundle.js';

function compileTool(
  server: string,
  tool: RawCatalogueTool,
  root: Located<string> | undefined,
  issues: PolicyIssue[],
): CatalogueEntry | undefined {
  if (!tool.effect) return undefined;
  const kind = tool.kind?.value ?? ResourceKind.Identifier;
  const base = {
    key: `${server}.${tool.name}`,
    effect: tool.effect.value,
    kind,
    at: ruleOf(tool.loc),
    ...compileAudit(tool, issues),
  };
  const caseInsensitive = tool.caseInsensitive?.value ?? false;
  if (!tool.resource) {
    if (tool.kind || tool.caseInsensitive)
      issues.push(issueAt(tool.loc, '"kind" and "caseInsensitive" need a "resource" template'));
    return { ...base, caseInsensitive };
  }
  const template = parseTemplate(tool.resource.value);
  if (typeof template === 'string') return void issues.push(issueAt(tool.resource.loc, template));
  if (kind === ResourceKind.Path) {
    if (template.parts.length !== 1) {
      return void issues.push(
        issueAt(tool.resource.loc, 'a path resource is exactly one argument, e.g. "{path}"'),
      );
    }
    if (caseInsensitive)
      issues.push(issueAt(tool.caseInsensitive!.loc, 'caseInsensitive applies to identifier resources only'));
    if (!root)
      return void issues.push(
        issueAt(tool.loc, `server "${server}" needs a "root:" (absolute path) for path resources`),
      );
  }
  return { ...base, template, caseInsensitive, root: kind === ResourceKind.Path ? root?.value : undefined };
}

/** `audit: { keep, drop }`: a key may be kept or dropped, not both. */
function compileAudit(tool: RawCatalogueTool, issues: PolicyIssue[]): { audit?: AuditRedaction } {
  if (!tool.audit) return {};
  const keep = (tool.audit.keep ?? []).map((k) => k.value);
  for (const drop of tool.audit.drop ?? []) {
    if (keep.includes(drop.value))
      issues.push(issueAt(drop.loc, `"${drop.value}" is both kept and dropped; list it under one of them`));
  }
  return { audit: { keep, drop: (tool.audit.drop ?? []).map((d) => d.value) } };
}

function sameEntry(a: CatalogueEntry, b: CatalogueEntry): boolean {
  return (
    JSON.stringify(a.audit) === JSON.stringify(b.audit) &&
    a.effect === b.effect &&
    a.kind === b.kind &&
    a.caseInsensitive === b.caseInsensitive &&
    a.template?.text === b.template?.text &&
    a.root === b.root
  );
}

/**
 * Merges the catalogue sections of every file (brokers ship entries, policy files may add to them).
 * A server or tool may appear in several files only with identical definitions.
 */
export function compileCatalogue(
  servers: readonly RawCatalogueServer[],
  issues: PolicyIssue[],
): Map<string, CatalogueEntry> {
  const roots = new Map<string, Located<string>>();
  for (const server of servers) {
    if (server.name.includes('.'))
      issues.push(issueAt(server.loc, 'server names cannot contain "."; tools are keyed server.tool'));
    const root = server.root;
    if (!root) continue;
    if (!isAbsolute(root.value))
      issues.push(issueAt(root.loc, `root "${root.value}" must be an absolute path`));
    const seen = roots.get(server.name);
    if (seen && seen.value !== root.value) {
      issues.push(
        issueAt(root.loc, `server "${server.name}" already has root ${seen.value} (${ruleOf(seen.loc)})`),
      );
    } else roots.set(server.name, root);
  }
  const entries = new Map<string, CatalogueEntry>();
  for (const server of servers) {
    for (const tool of server.tools) {
      const entry = compileTool(server.name, tool, roots.get(server.name), issues);
      if (!entry) continue;
      const seen = entries.get(entry.key);
      if (seen && !sameEntry(seen, entry)) {
        issues.push(
          issueAt(
            tool.loc,
            `${entry.key} is already catalogued differently at ${seen.at}; keep one definition`,
          ),
        );
      } else if (!seen) entries.set(entry.key, entry);
    }
  }
  return entries;
}
