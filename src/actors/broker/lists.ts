import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { RequestOptions } from '@modelcontextprotocol/sdk/shared/protocol.js';
import { CapabilityMethod } from '../capability/index.js';
import { sanitiseDescription } from './sanitise.js';
import type { UpstreamConnection } from './upstream.js';

// A server that pages a list forever is not listing.
const MAX_LIST_PAGES = 100;

type Page = { readonly nextCursor?: string } & Record<string, unknown>;
type Fetch = (client: Client, params: { cursor?: string }, options: RequestOptions) => Promise<Page>;

/** Each list method: the SDK call, where its items are, and the feature the server must declare. */
const LISTS = {
  [CapabilityMethod.ResourcesList]: {
    key: 'resources',
    feature: 'resources',
    fetch: ((client, params, options) => client.listResources(params, options)) as Fetch,
  },
  [CapabilityMethod.ResourceTemplatesList]: {
    key: 'resourceTemplates',
    feature: 'resources',
    fetch: ((client, params, options) => client.listResourceTemplates(params, options)) as Fetch,
  },
  [CapabilityMethod.PromptsList]: {
    key: 'prompts',
    feature: 'prompts',
    fetch: ((client, params, options) => client.listPrompts(params, options)) as Fetch,
  },
} as const;
export type ListMethod = keyof typeof LISTS;

type Item = Record<string, unknown>;

/**
 * Every page of one list from the server, as one result. Prompts are renamed `<server>.<name>` (the
 * name sessions call them by, like tools); resources keep their URIs. Descriptions and titles reach
 * models, so they are sanitised like tool descriptions. A server without the feature lists nothing.
 */
export async function listUpstream(
  connection: UpstreamConnection,
  server: string,
  method: ListMethod,
  timeoutMs: number,
): Promise<Record<string, unknown>> {
  const { key, feature, fetch } = LISTS[method];
  const items: Item[] = [];
  if (connection.client.getServerCapabilities()?.[feature] !== undefined) {
    let cursor: string | undefined;
    for (let page = 0; page < MAX_LIST_PAGES; page++) {
      const params = cursor === undefined ? {} : { cursor };
      const result = await fetch(connection.client, params, { timeout: timeoutMs });
      items.push(...((result[key] as Item[] | undefined) ?? []));
      cursor = result.nextCursor;
      if (cursor === undefined) break;
    }
  }
  return { [key]: items.map((item) => served(server, method, item)) };
}

function served(server: string, method: ListMethod, item: Item): Item {
  const out: Item = { ...item };
  if (method === CapabilityMethod.PromptsList) out.name = `${server}.${String(item.name)}`;
  for (const field of ['description', 'title'] as const) {
    if (typeof item[field] === 'string') out[field] = sanitiseDescription(item[field]);
  }
  return out;
}
