/**
 * Root of every trustmesh error. Each failure has its own subclass with a stable `code` string, so
 * callers `switch (err.code)` instead of matching messages (the habit jose and nats.js share).
 */
export class TrustmeshError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** True when `err` is a trustmesh error with the given code. */
export function hasCode(err: unknown, code: string): boolean {
  return err instanceof TrustmeshError && err.code === code;
}
