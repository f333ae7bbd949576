import { open } from 'node:fs/promises';

/** The part of a `FileHandle` the log writes through; `fs.promises.FileHandle` is one. */
export interface AuditFileHandle {
  write(buffer: Uint8Array, offset: number, length: number): Promise<{ bytesWritten: number }>;
  datasync(): Promise<void>;
  sync(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Where the log opens the files it writes. A seam so tests can count syncs or make them fail; the
 * default is the real file system.
 */
export interface AuditFileSystem {
  open(path: string, flags: 'a' | 'r'): Promise<AuditFileHandle>;
}

export const nodeFileSystem: AuditFileSystem = { open: (path, flags) => open(path, flags) };
