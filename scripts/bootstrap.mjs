// Installs the project's npm dependencies when they are missing or stale, so `npm start` and
// `npm test` work on a fresh clone with nothing done by hand. Uses only Node built-ins because it
// runs before anything is installed.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const lock = join(root, 'package-lock.json');
const stamp = join(root, 'node_modules', '.trustmesh-lock-digest');
const digest = createHash('sha256').update(readFileSync(lock)).digest('hex');

if (existsSync(stamp) && readFileSync(stamp, 'utf8') === digest) process.exit(0);

console.error(
  'trustmesh: installing npm dependencies from package-lock.json (first run, or the lock changed)…',
);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
// `npm install`, not `npm ci`: it installs the lock's exact versions too, but does not refuse a lock
// that lacks optional native packages for other platforms, which a registry mirror may not carry.
const result = spawnSync(npm, ['install', '--no-audit', '--no-fund', '--loglevel=error'], {
  cwd: root,
  stdio: 'inherit',
});
if (result.status !== 0) {
  console.error(
    'trustmesh: `npm install` failed (see above). Check that the npm registry is reachable, then run the command again.',
  );
  process.exit(result.status ?? 1);
}
writeFileSync(stamp, digest);
