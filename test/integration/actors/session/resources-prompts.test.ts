import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ToolBroker } from '../../../../src/actors/broker/index.js';
import { SessionRpcCode } from '../../../../src/actors/session/index.js';
import { everythingCommand } from '../../../fixtures/mcp/servers.js';
import { refusal } from '../../../support/refusal.js';
import { addBroker, usePolicy } from './extra-broker.js';
import { type Mesh, startMesh } from './mesh-fixture.js';

const STATIC = 'demo://resource/static/document/';

const POLICY = `
catalogue:
  everything:
    tools:
      echo: { effect: read }
purposes:
  docs:
    tools:
      everything.echo: { allowed: true }
    methods:
      everything.resources/list: { allowed: true }
      everything.resources/templates/list: { allowed: true }
      everything.resources/read: { allowed: true, scope: "${STATIC}**" }
      everything.prompts/list: { allowed: true }
      everything.prompts/get: { allowed: true }
  echo:
    tools:
      everything.echo: { allowed: true }
`;

describe('session actor: resources and prompts through the call path (server-everything)', () => {
  let mesh: Mesh;
  let broker: ToolBroker;

  beforeAll(async () => {
    mesh = await startMesh();
    await usePolicy(mesh, POLICY);
  });
  afterAll(() => mesh?.stop());

  it('lists resources, templates and prompts the purpose grants, each from its server', async () => {
    broker = await addBroker(mesh, 'everything', { kind: 'stdio', ...everythingCommand() });
    await broker.waitForState(['ready'], 15_000);
    const { client } = await mesh.session('docs');

    const { resources, nextCursor } = await client.listResources();
    expect(nextCursor).toBeUndefined();
    expect(resources.map((r) => r.uri)).toContain(`${STATIC}architecture.md`);
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate)).toContain(
      'demo://resource/dynamic/text/{resourceId}',
    );
    const { prompts } = await client.listPrompts();
    expect(prompts.map((p) => p.name)).toEqual(
      expect.arrayContaining(['everything.simple-prompt', 'everything.args-prompt']),
    );
    expect(prompts.every((p) => p.name.startsWith('everything.'))).toBe(true);

    const read = await client.readResource({ uri: `${STATIC}architecture.md` });
    expect(read.contents[0]).toMatchObject({ uri: `${STATIC}architecture.md`, mimeType: 'text/markdown' });
    expect((read.contents[0] as { text: string }).text).toContain('Architecture');

    const prompt = await client.getPrompt({ name: 'everything.args-prompt', arguments: { city: 'Lyon' } });
    expect(JSON.stringify(prompt.messages)).toContain('Lyon');
  });

  it('denies what the grant leaves out, as decisions (-32001), not as refusals to forward', async () => {
    const docs = await mesh.session('docs');
    const outOfScope = await refusal(
      docs.client.readResource({ uri: 'demo://resource/dynamic/text/1' }),
      McpError,
    );
    expect(outOfScope.code).toBe(SessionRpcCode.Denied);

    const echo = await mesh.session('echo');
    for (const call of [
      echo.client.listResources(),
      echo.client.listResourceTemplates(),
      echo.client.listPrompts(),
      echo.client.getPrompt({ name: 'everything.simple-prompt' }),
    ]) {
      const denied = await refusal(call, McpError);
      expect(denied.code).toBe(SessionRpcCode.Denied);
    }
  });
});
