import { readFile } from 'node:fs/promises';
import { type Clock, systemClock } from '../../clock.js';
import { writeFileAtomically } from '../key-store.js';
import {
  parseRevocation,
  type Revocation,
  RevocationError,
  type RevocationList,
  type RevocationRequest,
  toRevocation,
} from './types.js';

interface RevocationFile {
  version: 1;
  revocations: Revocation[];
}

/**
 * A revocation list in one JSON file, for a single host and for the CLI. `refresh()` rereads it;
 * a mesh of several nodes shares revocations through `KvRevocationList` instead.
 */
export class FileRevocationList implements RevocationList {
  readonly #path: string;
  readonly #clock: Clock;
  #entries = new Map<string, Revocation>();

  private constructor(path: string, clock: Clock) {
    this.#path = path;
    this.#clock = clock;
  }

  static async open(path: string, options: { clock?: Clock } = {}): Promise<FileRevocationList> {
    const list = new FileRevocationList(path, options.clock ?? systemClock);
    await list.refresh();
    return list;
  }

  async refresh(): Promise<void> {
    this.#entries = new Map((await this.#read()).map((entry) => [entry.id, entry]));
  }

  async revoke(request: RevocationRequest): Promise<Revocation> {
    const revocation = toRevocation(request, this.#clock());
    await this.refresh();
    const existing = this.#entries.get(revocation.id);
    if (existing) return existing;
    this.#entries.set(revocation.id, revocation);
    const file: RevocationFile = { version: 1, revocations: this.list() };
    await writeFileAtomically(this.#path, `${JSON.stringify(file, null, 2)}\n`, false);
    return revocation;
  }

  isRevoked(id: string): boolean {
    return this.#entries.has(id);
  }

  list(): Revocation[] {
    return [...this.#entries.values()];
  }

  async close(): Promise<void> {}

  async #read(): Promise<Revocation[]> {
    let text: string;
    try {
      text = await readFile(this.#path, 'utf8');
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new RevocationError(`cannot read revocation list ${this.#path}; check its permissions.`, {
        cause,
      });
    }
    try {
      const file = JSON.parse(text) as Partial<RevocationFile>;
      if (file.version !== 1 || !Array.isArray(file.revocations)) throw new Error('not version 1');
      return file.revocations.map((entry) => {
        const parsed = parseRevocation(entry);
        if (!parsed) throw new Error(`bad entry ${JSON.stringify(entry)}`);
        return parsed;
      });
    } catch (cause) {
      // Failing closed: a list we cannot read must not read as "nothing revoked".
      throw new RevocationError(
        `revocation list ${this.#path} is corrupt; restore it from backup before trusting any certificate.`,
        { cause },
      );
    }
  }
}
