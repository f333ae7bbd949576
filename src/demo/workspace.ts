import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/**
 * The files of the demo workspace `trustmesh up` serves through the filesystem MCP server: a small
 * source tree a code-review session may read, and the secrets it must never see.
 */
const FILES: Readonly<Record<string, string>> = {
  'README.md': '# demo-service\n\nA tiny service for trying trustmesh. Source lives in src/.\n',
  'src/index.ts': "import { greet } from './util/greet.js';\n\nconsole.log(greet('mesh'));\n",
  'src/util/greet.ts': "export function greet(name: string): string {\n  return 'hello, ' + name;\n}\n",
  'src/components/Banner.tsx': 'export const Banner = () => <h1>demo-service</h1>;\n',
  '.env':
    'DATABASE_URL=postgres://demo:not-a-real-password@127.0.0.1/demo\nAPI_TOKEN=demo-token-never-leave\n',
  'config/secrets.json': '{ "signingKey": "demo-signing-key-never-leave" }\n',
};

/** Writes the demo workspace under `root` (overwriting earlier demo files) and returns their paths. */
export async function createDemoWorkspace(root: string): Promise<string[]> {
  const paths = Object.keys(FILES).sort();
  for (const path of paths) {
    const target = join(root, path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, FILES[path]!);
  }
  return paths;
}
