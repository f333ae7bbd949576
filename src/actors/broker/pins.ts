import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import type { JsonSchemaType, JsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/types.js';
import type { BrokerEvent } from '../../../statecharts/index.js';
import type { Clock } from '../../clock.js';
import { buildListing, diffListing, isEmptyDiff, type Listing, toolDefinition } from './catalogue.js';
import type { PinRecord, PinStore } from './pin-store.js';
import { sanitiseDescription } from './sanitise.js';
import type { UpstreamConnection } from './upstream.js';
import type { BrokerCatalogue, CatalogueTool, QuarantineReport } from './wire.js';

// A server that pages its tool list forever is not listing tools.
const MAX_LIST_PAGES = 100;
const FIRST_USE = 'first-use';

interface PinnedTool {
  readonly validate: JsonSchemaValidator<unknown> | null;
}

/**
 * One server's pins and the judgement of each listing against them: which statechart events a
 * listing means, what a quarantine report says, and what sessions are shown.
 */
export class Pins {
  readonly #server: string;
  readonly #store: PinStore;
  readonly #clock: Clock;
  readonly #pinOnFirstUse: boolean;
  readonly #ajv = new AjvJsonSchemaValidator();
  #record: PinRecord | undefined;
  #tools = new Map<string, PinnedTool>();
  #listing: Listing | undefined;
  #report: QuarantineReport | null = null;

  constructor(server: string, store: PinStore, clock: Clock, pinOnFirstUse: boolean) {
    this.#server = server;
    this.#store = store;
    this.#clock = clock;
    this.#pinOnFirstUse = pinOnFirstUse;
  }

  async load(): Promise<void> {
    this.#adopt(await this.#store.load(this.#server));
  }

  /** Every tool the server lists now (all pages), hashed and checked for injection markers. */
  async list(connection: UpstreamConnection, timeoutMs: number): Promise<Listing> {
    const tools: Tool[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_LIST_PAGES; page++) {
      const result = await connection.client.listTools(cursor === undefined ? undefined : { cursor }, {
        timeout: timeoutMs,
      });
      tools.push(...result.tools);
      cursor = result.nextCursor;
      if (cursor === undefined) break;
    }
    return buildListing(tools.map(toolDefinition));
  }

  /**
   * The events a listing means. Matching pins: `CONNECTED` while connecting, nothing otherwise. No
   * pins yet and nothing flagged: pinned on first use (when allowed). Anything else quarantines:
   * `TOOLS_CHANGED` for a diff against approved pins, `INJECTION_FLAGGED` per flagged tool that the
   * operator has not approved as it is.
   */
  async judge(listing: Listing, connecting: boolean): Promise<BrokerEvent[]> {
    this.#listing = listing;
    const pinned = this.#pinnedHashes();
    const diff = diffListing(pinned, listing);
    if (isEmptyDiff(diff)) return connecting ? [{ type: 'CONNECTED' }] : [];
    const flagged = [...listing.tools]
      .filter(([name, tool]) => tool.markers.length > 0 && pinned.get(name) !== tool.hash)
      .map(([tool, { markers }]) => ({ tool, markers }));
    const firstUse = this.#record === undefined;
    if (firstUse && this.#pinOnFirstUse && flagged.length === 0 && connecting) {
      await this.approve(listing, FIRST_USE);
      return [{ type: 'CONNECTED' }];
    }
    this.#report = { neverApproved: firstUse, diff, flagged };
    const events: BrokerEvent[] = [];
    if (!(firstUse && this.#pinOnFirstUse)) events.push({ type: 'TOOLS_CHANGED', diff });
    for (const { tool, markers } of flagged) events.push({ type: 'INJECTION_FLAGGED', tool, markers });
    return events;
  }

  /** Pins `listing` as approved by `operator` and clears the quarantine report. */
  async approve(listing: Listing, operator: string): Promise<void> {
    const record: PinRecord = {
      server: this.#server,
      setHash: listing.setHash,
      tools: Object.fromEntries(
        [...listing.tools].map(([name, tool]) => [name, { hash: tool.hash, definition: tool.definition }]),
      ),
      approvedAt: this.#clock(),
      approvedBy: operator,
    };
    await this.#store.save(record);
    this.#listing = listing;
    this.#report = null;
    this.#adopt(record);
  }

  /** The pinned tool `name`, with its argument validator; undefined if not approved. */
  tool(name: string): PinnedTool | undefined {
    return this.#tools.get(name);
  }

  /** Why the server is quarantined, as last judged; null once approved. */
  report(): QuarantineReport | null {
    return this.#report;
  }

  catalogue(state: string): BrokerCatalogue {
    const record = this.#record;
    const tools: CatalogueTool[] = Object.values(record?.tools ?? {}).map(({ definition }) => ({
      ...definition,
      name: `${this.#server}.${definition.name}`,
      description:
        definition.description === undefined ? undefined : sanitiseDescription(definition.description),
      title: definition.title === undefined ? undefined : sanitiseDescription(definition.title),
    }));
    return {
      server: this.#server,
      state,
      pinnedSetHash: record?.setHash ?? null,
      listedSetHash: this.#listing?.setHash ?? null,
      approvedAt: record?.approvedAt ?? null,
      approvedBy: record?.approvedBy ?? null,
      quarantine: this.#report,
      tools: tools.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    };
  }

  #pinnedHashes(): Map<string, string> {
    return new Map(Object.entries(this.#record?.tools ?? {}).map(([name, tool]) => [name, tool.hash]));
  }

  #adopt(record: PinRecord | undefined): void {
    this.#record = record;
    this.#tools = new Map(
      Object.entries(record?.tools ?? {}).map(([name, { definition }]) => [
        name,
        { validate: this.#compile(definition.inputSchema) },
      ]),
    );
  }

  // A schema Ajv cannot compile is left to the server to enforce; it was still pinned and reviewed.
  #compile(schema: Record<string, unknown>): JsonSchemaValidator<unknown> | null {
    try {
      return this.#ajv.getValidator(schema as JsonSchemaType);
    } catch {
      return null;
    }
  }
}
