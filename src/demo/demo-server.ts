import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';

const NOTES: Readonly<Record<string, string>> = {
  'welcome.md': 'Every tool call through trustmesh is verified: identity, grant, history and behaviour.',
  'design.md': 'Sessions are statechart actors; containment is a state transition.',
};

/** The small MCP server `trustmesh up` serves when nothing else is configured. */
export function createDemoServer(): McpServer {
  const server = new McpServer({ name: 'trustmesh-demo', version: '0.1.0' });
  server.registerTool(
    'echo',
    { description: 'Returns the text it was given.', inputSchema: { text: z.string().max(65_536) } },
    async ({ text }) => ({ content: [{ type: 'text', text }] }),
  );
  server.registerTool(
    'list_notes',
    { description: 'Lists the demo notes.', annotations: { readOnlyHint: true } },
    async () => ({ content: [{ type: 'text', text: Object.keys(NOTES).join('\n') }] }),
  );
  server.registerTool(
    'read_note',
    {
      description: 'Reads one demo note by name.',
      inputSchema: { name: z.string() },
      annotations: { readOnlyHint: true },
    },
    async ({ name }) => {
      const note = NOTES[name];
      if (note === undefined) {
        return {
          isError: true,
          content: [{ type: 'text', text: `No note named ${name}; call list_notes.` }],
        };
      }
      return { content: [{ type: 'text', text: note }] };
    },
  );
  return server;
}
