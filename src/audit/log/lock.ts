import { open, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * One writer per log directory: two processes appending to one log would interleave two views of
 * each chain head. The lock is a file holding the owner's pid; one whose process is gone is stale
 * (a crashed node) and is taken over.
 */
export class LogLock {
  readonly #path: string;

  private constructor(path: string) {
    this.#path = path;
  }

  /** Takes the lock of `dir`, or rejects naming the process that holds it. */
  static async acquire(dir: string): Promise<LogLock> {
    const path = join(dir, 'LOCK');
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const file = await open(path, 'wx');
        await file.writeFile(String(process.pid));
        await file.close();
        return new LogLock(path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const owner = Number((await readFile(path, 'utf8').catch(() => '')).trim());
      if (isAlive(owner)) {
        throw new Error(
          `the log is already open in process ${owner}${owner === process.pid ? ' (this one; close it first)' : ''}`,
        );
      }
      await unlink(path).catch(() => undefined);
    }
    throw new Error(`another process keeps taking the lock ${path}`);
  }

  async release(): Promise<void> {
    await unlink(this.#path).catch(() => undefined);
  }
}

function isAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
