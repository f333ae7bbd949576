import { type ChildProcess, spawn } from 'node:child_process';
import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const CLI = join(import.meta.dirname, '../../../src/cli/run.ts');
const running = new Set<ChildProcess>();

/** Kills every node process still running (SIGKILL); for `afterAll`. */
export function killNodeProcesses(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

/** A `trustmesh node` process: what its ready line said, and the signals fault tests send it. */
export interface NodeProcess {
  readonly name: string;
  readonly nodeId: string;
  readonly child: ChildProcess;
  /** Everything it logged on stderr so far. */
  log(): string;
  signal(signal: NodeJS.Signals): void;
  exited(): Promise<number | null>;
}

export interface NodeProcessOptions {
  /**
   * Directory holding the mesh's shared `mesh/keys/` and `mesh/pki/` (CA and the node leaf every node
   * signs with); the node gets its own state directory beside it.
   */
  readonly root: string;
  readonly name: string;
  readonly nats: string;
  readonly policy: string;
  readonly leaseMs: number;
  readonly replicas: number;
}

/** Starts `trustmesh node` with a copy of the mesh keys and waits for its ready line. */
export async function startNodeProcess(options: NodeProcessOptions): Promise<NodeProcess> {
  const dir = join(options.root, options.name);
  await cp(join(options.root, 'mesh', 'keys'), join(dir, 'keys'), { recursive: true });
  const args = [
    ...['--import', 'tsx', CLI, 'node', '--nats', options.nats, '--dir', dir, '--policy', options.policy],
    ...['--pki', join(options.root, 'mesh', 'pki')],
    ...['--name', options.name, '--lease', String(options.leaseMs)],
    ...['--placement-replicas', String(options.replicas), '--audit-replicas', String(options.replicas)],
  ];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let log = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    log += chunk.toString();
  });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    void exit.then((code) =>
      reject(new Error(`trustmesh node ${options.name} exited with ${code}:\n${log}`)),
    );
  });
  const { nodeId } = JSON.parse(line) as { nodeId: string };
  return {
    name: options.name,
    nodeId,
    child,
    log: () => log,
    signal: (signal) => void child.kill(signal),
    exited: () => exit,
  };
}
