/**
 * Writes the Mermaid diagrams of the statecharts from their definitions.
 * `--check` writes nothing and exits 1 when a committed diagram is out of date.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { DIAGRAMS, diagramMarkdown } from '../statecharts/diagrams.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const check = process.argv.includes('--check');
let stale = 0;
for (const diagram of DIAGRAMS) {
  const file = `${root}${diagram.path}`;
  const wanted = diagramMarkdown(diagram);
  const current = await readFile(file, 'utf8').catch(() => '');
  if (current === wanted) continue;
  if (check) {
    stale += 1;
    console.error(`${diagram.path} is out of date; run: npx tsx scripts/render-statecharts.ts`);
  } else {
    await writeFile(file, wanted);
    console.log(`wrote ${diagram.path}`);
  }
}
process.exitCode = stale > 0 ? 1 : 0;
