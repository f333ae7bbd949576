import { createHash } from 'node:crypto';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import type { ToolsDiff } from '../../../statecharts/index.js';
import { canonicalJson } from '../../canonical-json.js';
import { findInjectionMarkers } from './markers.js';

/** What a model is shown of a tool; a change to any of it is a change of the tool. */
export interface ToolDefinition {
  readonly name: string;
  readonly title?: string;
  readonly description?: string;
  readonly inputSchema: Record<string, unknown>;
  readonly outputSchema?: Record<string, unknown>;
  readonly annotations?: Record<string, unknown>;
}

export interface ListedTool {
  readonly definition: ToolDefinition;
  /** Hex SHA-256 of the definition's canonical JSON. */
  readonly hash: string;
  /** Injection markers, as `where: marker` (e.g. `description: important-tag`). */
  readonly markers: readonly string[];
}

/** One listing of a server's tools, hashed. */
export interface Listing {
  readonly tools: ReadonlyMap<string, ListedTool>;
  /** Order-independent hash over every tool's name and hash. */
  readonly setHash: string;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export function toolDefinition(tool: Tool): ToolDefinition {
  const { name, title, description, inputSchema, outputSchema, annotations } = tool;
  return { name, title, description, inputSchema, outputSchema, annotations };
}

/** Hashes a listing; a name listed twice is flagged, since one of the two would shadow the other. */
export function buildListing(definitions: readonly ToolDefinition[]): Listing {
  const tools = new Map<string, ListedTool>();
  for (const definition of definitions) {
    const markers = definitionMarkers(definition);
    if (tools.has(definition.name)) markers.push('name: duplicate-name');
    tools.set(definition.name, { definition, hash: sha256(canonicalJson(definition)), markers });
  }
  return { tools, setHash: setHash(new Map([...tools].map(([name, tool]) => [name, tool.hash]))) };
}

/** The hash of a whole set of tools, from each tool's name and hash, whatever the listing order. */
export function setHash(hashes: ReadonlyMap<string, string>): string {
  return sha256(canonicalJson([...hashes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
}

/** How `listing` differs from the pinned hashes (tool name → hash). */
export function diffListing(pinned: ReadonlyMap<string, string>, listing: Listing): ToolsDiff {
  const added: string[] = [];
  const changed: string[] = [];
  for (const [name, tool] of listing.tools) {
    const hash = pinned.get(name);
    if (hash === undefined) added.push(name);
    else if (hash !== tool.hash) changed.push(name);
  }
  const removed = [...pinned.keys()].filter((name) => !listing.tools.has(name));
  return { added: added.sort(), removed: removed.sort(), changed: changed.sort() };
}

export function isEmptyDiff(diff: ToolsDiff): boolean {
  return diff.added.length + diff.removed.length + diff.changed.length === 0;
}

/** Markers in the description, the title, and every description or title inside the schemas. */
function definitionMarkers(definition: ToolDefinition): string[] {
  const found: string[] = [];
  const scan = (where: string, text: unknown) => {
    if (typeof text !== 'string') return;
    for (const marker of findInjectionMarkers(text)) found.push(`${where}: ${marker}`);
  };
  scan('description', definition.description);
  scan('title', definition.title);
  for (const [where, text] of schemaTexts('inputSchema', definition.inputSchema)) scan(where, text);
  for (const [where, text] of schemaTexts('outputSchema', definition.outputSchema)) scan(where, text);
  return found;
}

function* schemaTexts(path: string, node: unknown): Generator<[string, string]> {
  if (node === null || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node)) {
    const where = `${path}.${key}`;
    if ((key === 'description' || key === 'title') && typeof value === 'string') yield [where, value];
    else yield* schemaTexts(where, value);
  }
}
