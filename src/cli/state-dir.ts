import { access } from 'node:fs/promises';
import { join, resolve } from 'node:path';

/** @default '.trustmesh' in the current directory: the embedded default keeps everything in one place. */
export const DEFAULT_STATE_DIR = '.trustmesh';

/** The files of a local mesh's state directory. */
export function stateLayout(dir = DEFAULT_STATE_DIR) {
  const root = resolve(dir);
  return {
    root,
    natsDir: join(root, 'nats'),
    policyDir: join(root, 'policy'),
    workspace: join(root, 'workspace'),
    demoSessionFile: join(root, 'demo-session.json'),
  } as const;
}
export type StateLayout = ReturnType<typeof stateLayout>;

/** Whether something exists at `path` (a file a local mesh may or may not have written yet). */
export function pathExists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
