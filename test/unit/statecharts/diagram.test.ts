import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { DIAGRAMS, diagramMarkdown, toMermaid } from '../../../statecharts/index.js';
import { sessionMachine } from '../../../statecharts/session/index.js';

const root = new URL('../../../', import.meta.url);

describe('statechart diagrams', () => {
  it.each(DIAGRAMS.map((d) => [d.path, d] as const))(
    '%s matches its machine definition',
    async (_path, diagram) => {
      const committed = await readFile(new URL(diagram.path, root), 'utf8');
      expect(committed, 'run: npx tsx scripts/render-statecharts.ts').toBe(diagramMarkdown(diagram));
    },
  );

  it('draws every state and the containment transitions of the session machine', () => {
    const mermaid = toMermaid(sessionMachine);
    for (const state of ['active', 'scrutinised', 'readOnly', 'suspended', 'reauth', 'terminated']) {
      expect(mermaid).toContain(`state "${state}" as ${state}`);
    }
    expect(mermaid).toContain('active --> readOnly : RISK [riskReaches readOnly]');
    expect(mermaid).toContain('scrutinised --> active : RISK [riskBelowDecay]');
    expect(mermaid).toContain('active_idle --> active_awaitingApproval : session.decided [needsApproval]');
    expect(mermaid).not.toMatch(/readOnly --> (active|scrutinised) : RISK/);
  });
});
