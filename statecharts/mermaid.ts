import type { AnyStateMachine, AnyStateNode, AnyTransitionDefinition } from 'xstate';

/** Mermaid ids are global, so nested states are named by their path (`active_idle`) and labelled by key. */
function uid(node: AnyStateNode): string {
  return node.path.join('_');
}

function describeGuard(guard: unknown): string {
  if (guard === undefined) return '';
  if (typeof guard === 'string') return ` [${guard}]`;
  if (typeof guard === 'object' && guard !== null && 'type' in guard) {
    const { type, params } = guard as { type: string; params?: Record<string, unknown> };
    const args = params ? Object.values(params).map(String) : [];
    return ` [${[type, ...args].join(' ')}]`;
  }
  return ' [inline guard]';
}

interface Edge {
  readonly source: AnyStateNode;
  readonly target: AnyStateNode;
  readonly label: string;
}

function edgesOf(node: AnyStateNode): Edge[] {
  const edges: Edge[] = [];
  const add = (transition: AnyTransitionDefinition, event: string) => {
    for (const target of transition.target ?? []) {
      edges.push({ source: node, target, label: `${event}${describeGuard(transition.guard)}` });
    }
  };
  for (const [eventType, transitions] of Object.entries(node.on)) {
    if (eventType.startsWith('xstate.after.')) continue;
    for (const transition of transitions as AnyTransitionDefinition[]) add(transition, eventType);
  }
  for (const transition of node.after) add(transition, `after ${String(transition.delay)}`);
  for (const transition of node.always ?? []) add(transition, 'always');
  return edges;
}

function render(node: AnyStateNode, indent: string, lines: string[], crossing: Edge[]): void {
  const children = Object.values(node.states) as AnyStateNode[];
  if (children.length === 0) return;
  for (const target of node.initial.target) lines.push(`${indent}[*] --> ${uid(target)}`);
  for (const child of children) {
    if (child.type === 'compound' || child.type === 'parallel') {
      lines.push(`${indent}state "${child.key}" as ${uid(child)} {`);
      render(child, `${indent}  `, lines, crossing);
      lines.push(`${indent}}`);
    } else {
      lines.push(`${indent}state "${child.key}" as ${uid(child)}`);
    }
    if (child.type === 'final') lines.push(`${indent}${uid(child)} --> [*]`);
  }
  for (const child of children) {
    for (const edge of edgesOf(child)) {
      if (edge.target.parent === node)
        lines.push(`${indent}${uid(edge.source)} --> ${uid(edge.target)} : ${edge.label}`);
      else crossing.push(edge);
    }
  }
}

/** A Mermaid `stateDiagram-v2` of the machine's definition: states, initial states and targeted transitions. */
export function toMermaid(machine: AnyStateMachine): string {
  const lines = ['stateDiagram-v2'];
  const crossing: Edge[] = [];
  render(machine.root, '  ', lines, crossing);
  for (const edge of crossing) lines.push(`  ${uid(edge.source)} --> ${uid(edge.target)} : ${edge.label}`);
  return `${lines.join('\n')}\n`;
}
