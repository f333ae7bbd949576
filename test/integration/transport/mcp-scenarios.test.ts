import { type Progress, ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createEchoServer } from '../../fixtures/echo-server.js';
import { WIRE_KINDS, type Wired, wire } from '../../support/wire.js';

function text(result: Awaited<ReturnType<Wired['client']['callTool']>>): string {
  const [first] = result.content as { type: string; text: string }[];
  return first?.text ?? '';
}

describe.each(WIRE_KINDS)('MCP over %s', (kind) => {
  let wired: Wired;

  afterEach(async () => {
    await wired?.close();
  });

  it('initializes: the client sees the server info and capabilities', async () => {
    wired = await wire(kind, createEchoServer());
    expect(wired.client.getServerVersion()).toMatchObject({ name: 'trustmesh-echo', version: '1.0.0' });
    expect(wired.client.getServerCapabilities()?.tools?.listChanged).toBe(true);
  });

  it('lists the tools', async () => {
    wired = await wire(kind, createEchoServer());
    const { tools } = await wired.client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(['add_tool', 'ask_client', 'echo', 'hang', 'slow']);
  });

  it('calls the echo tool', async () => {
    wired = await wire(kind, createEchoServer());
    const result = await wired.client.callTool({
      name: 'echo',
      arguments: { text: 'héllo ✓ over the mesh' },
    });
    expect(result.isError).toBeFalsy();
    expect(text(result)).toBe('héllo ✓ over the mesh');
  });

  it('delivers progress notifications during a call', async () => {
    wired = await wire(kind, createEchoServer());
    const seen: Progress[] = [];
    const result = await wired.client.callTool({ name: 'slow', arguments: { steps: 3 } }, undefined, {
      onprogress: (progress) => seen.push(progress),
    });
    expect(text(result)).toBe('done after 3 steps');
    expect(seen.map((p) => [p.progress, p.total])).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
  });

  it('carries a server→client request and its answer inside a call', async () => {
    wired = await wire(kind, createEchoServer(), {
      roots: [
        { uri: 'file:///repo', name: 'repo' },
        { uri: 'file:///docs', name: 'docs' },
      ],
    });
    const result = await wired.client.callTool({ name: 'ask_client', arguments: {} });
    expect(text(result)).toBe('file:///repo\nfile:///docs');
  });

  it('delivers a tools/list_changed notification', async () => {
    wired = await wire(kind, createEchoServer());
    const changed = new Promise<void>((resolve) =>
      wired.client.setNotificationHandler(ToolListChangedNotificationSchema, () => resolve()),
    );
    await wired.client.callTool({ name: 'add_tool', arguments: { name: 'late' } });
    await changed;
    const { tools } = await wired.client.listTools();
    expect(tools.map((tool) => tool.name)).toContain('late');
    expect(text(await wired.client.callTool({ name: 'late', arguments: {} }))).toBe('I am late');
  });
});
