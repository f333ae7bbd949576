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
