import { randomUUID } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ToolDefinition } from './catalogue.js';
import { BrokerError, BrokerErrorCode } from './errors.js';

/** The definitions an operator approved for one server. */
export interface PinRecord {
  readonly server: string;
  readonly setHash: string;
  /** Tool name → its hash and the definition that was approved. */
  readonly tools: Readonly<Record<string, { readonly hash: string; readonly definition: ToolDefinition }>>;
  /** ms since the epoch. */
  readonly approvedAt: number;
  /** The operator, or `first-use` when the first clean listing was pinned automatically. */
  readonly approvedBy: string;
}

/** Where pins live. A file per server today; a KV bucket later, behind the same interface. */
export interface PinStore {
  load(server: string): Promise<PinRecord | undefined>;
  save(record: PinRecord): Promise<void>;
}

/** Pins as `<dir>/<server>.json`, readable by the owner only (dir 0700, files 0600), replaced atomically. */
export class FilePinStore implements PinStore {
  readonly #dir: string;

  constructor(dir: string) {
    this.#dir = dir;
  }

  async load(server: string): Promise<PinRecord | undefined> {
    const path = this.#path(server);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw storeError(`cannot read ${path}`, err);
    }
    let record: unknown;
    try {
      record = JSON.parse(text);
    } catch (err) {
      throw storeError(`${path} is not JSON`, err);
    }
    if (!isPinRecord(record) || record.server !== server) {
      throw storeError(`${path} is not a pin record for ${JSON.stringify(server)}`);
    }
    return record;
  }

  async save(record: PinRecord): Promise<void> {
    const path = this.#path(record.server);
    const temporary = `${path}.${process.pid}.${randomUUID()}.tmp`;
    try {
      await mkdir(this.#dir, { recursive: true, mode: 0o700 });
      await writeFile(temporary, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
      await chmod(temporary, 0o600);
      await rename(temporary, path);
    } catch (err) {
      throw storeError(`cannot write ${path}`, err);
    }
  }

  // Server names are single safe subject tokens (checked by the broker), so they are safe file names.
  #path(server: string): string {
    return join(this.#dir, `${server}.json`);
  }
}

function isPinRecord(value: unknown): value is PinRecord {
  if (value === null || typeof value !== 'object') return false;
  const record = value as Record<string, unknown>;
  return (
    typeof record.server === 'string' &&
    typeof record.setHash === 'string' &&
    typeof record.approvedAt === 'number' &&
    typeof record.approvedBy === 'string' &&
    record.tools !== null &&
    typeof record.tools === 'object' &&
    Object.values(record.tools).every(
      (tool: unknown) =>
        tool !== null &&
        typeof tool === 'object' &&
        typeof (tool as { hash?: unknown }).hash === 'string' &&
        typeof (tool as { definition?: unknown }).definition === 'object',
    )
  );
}

function storeError(problem: string, cause?: unknown): BrokerError {
  return new BrokerError(
    BrokerErrorCode.PinStore,
    `Pin store: ${problem}. Check the broker's state directory (owner, permissions, free space); if the file is corrupt, remove it and approve the server again.`,
    { cause },
  );
}
