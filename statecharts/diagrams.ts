import type { AnyStateMachine } from 'xstate';
import { brokerMachine } from './broker/machine.js';
import { toMermaid } from './mermaid.js';
import { sessionMachine } from './session/machine.js';

export interface Diagram {
  /** Relative to the repository root. */
  readonly path: string;
  readonly title: string;
  readonly machine: AnyStateMachine;
}

/** The committed diagrams; `scripts/render-statecharts.ts` writes them and a test keeps them current. */
export const DIAGRAMS: readonly Diagram[] = [
  { path: 'statecharts/session/diagram.md', title: 'Session statechart', machine: sessionMachine },
  { path: 'statecharts/broker/diagram.md', title: 'Broker statechart', machine: brokerMachine },
];

export function diagramMarkdown(diagram: Diagram): string {
  return [
    `# ${diagram.title}`,
    '',
    '<!-- Generated from the machine definition by `npx tsx scripts/render-statecharts.ts`; do not edit. -->',
    '',
    '```mermaid',
    toMermaid(diagram.machine).trimEnd(),
    '```',
    '',
  ].join('\n');
}
