import { readFile, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { writeSecretFile } from '../key-store.js';
import { NatsAuthStateError } from './errors.js';
import { decodePublicNkey, type Nkey, NkeyRole, newNkey, nkeyFromSeed } from './nkey.js';

/** The keys of the authority. Account identity seeds are not kept: operator signing keys issue accounts. */
export interface AuthorityKeys {
  operator: Nkey;
  operatorSigning: Nkey;
  meshAccount: string;
  meshSigning: Nkey;
  systemAccount: string;
  systemSigning: Nkey;
}

/** User public key → unix seconds: JWTs of that user issued at or before it are refused. */
export type Revocations = Record<string, number>;

/** Where the authority keeps its state; nsc-style `.nk` seed files, JWTs NATS tools read. */
export const natsAuthFiles = (dir: string) =>
  ({
    operatorSeed: join(dir, 'keys', 'operator.nk'),
    operatorSigningSeed: join(dir, 'keys', 'operator-signing.nk'),
    meshSigningSeed: join(dir, 'keys', 'mesh-signing.nk'),
    systemSigningSeed: join(dir, 'keys', 'system-signing.nk'),
    /** Public keys of the two accounts; written last, so its presence means the state is complete. */
    accounts: join(dir, 'accounts.json'),
    revocations: join(dir, 'revocations.json'),
    operatorJwt: join(dir, 'operator.jwt'),
    meshJwt: join(dir, 'accounts', 'mesh.jwt'),
    systemJwt: join(dir, 'accounts', 'system.jwt'),
  }) as const;

/** Loads the authority's keys from `dir`, generating and saving them (mode 0600) on first use. */
export async function loadOrCreateKeys(dir: string): Promise<AuthorityKeys> {
  const files = natsAuthFiles(dir);
  const accountsText = await readSecret(files.accounts);
  if (accountsText === undefined) return createKeys(dir);
  let accounts: { mesh?: unknown; system?: unknown };
  try {
    accounts = JSON.parse(accountsText);
    decodePublicNkey(accounts.mesh as string, NkeyRole.Account);
    decodePublicNkey(accounts.system as string, NkeyRole.Account);
  } catch (cause) {
    throw new NatsAuthStateError(
      `${files.accounts} does not name the mesh and system accounts; restore it from backup or move the directory aside to start a new operator.`,
      { cause },
    );
  }
  return {
    operator: await loadSeed(files.operatorSeed, NkeyRole.Operator),
    operatorSigning: await loadSeed(files.operatorSigningSeed, NkeyRole.Operator),
    meshAccount: accounts.mesh as string,
    meshSigning: await loadSeed(files.meshSigningSeed, NkeyRole.Account),
    systemAccount: accounts.system as string,
    systemSigning: await loadSeed(files.systemSigningSeed, NkeyRole.Account),
  };
}

async function createKeys(dir: string): Promise<AuthorityKeys> {
  const files = natsAuthFiles(dir);
  const keys: AuthorityKeys = {
    operator: newNkey(NkeyRole.Operator),
    operatorSigning: newNkey(NkeyRole.Operator),
    meshAccount: newNkey(NkeyRole.Account).publicKey,
    meshSigning: newNkey(NkeyRole.Account),
    systemAccount: newNkey(NkeyRole.Account).publicKey,
    systemSigning: newNkey(NkeyRole.Account),
  };
  await writeSecretFile(files.operatorSeed, `${keys.operator.seed}\n`);
  await writeSecretFile(files.operatorSigningSeed, `${keys.operatorSigning.seed}\n`);
  await writeSecretFile(files.meshSigningSeed, `${keys.meshSigning.seed}\n`);
  await writeSecretFile(files.systemSigningSeed, `${keys.systemSigning.seed}\n`);
  await writeAtomically(files.accounts, { mesh: keys.meshAccount, system: keys.systemAccount });
  return keys;
}

/** The revocations in force, or none when the authority never revoked anyone. */
export async function loadRevocations(dir: string): Promise<Revocations> {
  const path = natsAuthFiles(dir).revocations;
  const text = await readSecret(path);
  if (text === undefined) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    const valid =
      typeof parsed === 'object' &&
      parsed !== null &&
      Object.entries(parsed).every(([key, at]) => key.startsWith('U') && Number.isInteger(at));
    if (!valid) throw new Error('not a map of user keys to unix seconds');
    return parsed as Revocations;
  } catch (cause) {
    throw new NatsAuthStateError(
      `${path} is not a revocation list; restore it from backup (revoked sessions must stay revoked until they expire).`,
      { cause },
    );
  }
}

export async function saveRevocations(dir: string, revocations: Revocations): Promise<void> {
  await writeAtomically(natsAuthFiles(dir).revocations, revocations);
}

// A crash mid-write must never leave a truncated revocation list behind.
async function writeAtomically(path: string, value: unknown): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeSecretFile(temporary, `${JSON.stringify(value, null, 2)}\n`);
  await rename(temporary, path);
}

async function loadSeed(path: string, role: NkeyRole): Promise<Nkey> {
  const text = await readSecret(path);
  if (text === undefined) {
    throw new NatsAuthStateError(
      `${path} is missing; restore it from backup, or move the state directory aside to start a new operator.`,
    );
  }
  try {
    return nkeyFromSeed(text.trim(), role);
  } catch (cause) {
    throw new NatsAuthStateError(`${path} does not hold a valid seed; restore it from backup.`, { cause });
  }
}

/** The file's text, or undefined when it does not exist; refuses files others can read. */
async function readSecret(path: string): Promise<string | undefined> {
  try {
    const { mode } = await stat(path);
    if ((mode & 0o077) !== 0) {
      throw new NatsAuthStateError(`${path} is readable by other users; run 'chmod 600 ${path}' and retry.`);
    }
    return await readFile(path, 'utf8');
  } catch (cause) {
    if (cause instanceof NatsAuthStateError) throw cause;
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new NatsAuthStateError(`Cannot read ${path}; check its permissions.`, { cause });
  }
}
