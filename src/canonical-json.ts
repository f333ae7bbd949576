/**
 * Canonical JSON: object keys sorted by UTF-16 code unit, no whitespace, everything else as
 * `JSON.stringify` writes it. Two values that mean the same JSON get the same text, so their digests
 * match whatever order a client built the object in.
 *
 * Throws `TypeError` on what JSON cannot carry faithfully (bigint, functions, symbols, non-finite
 * numbers, cycles, class instances such as `Date` or `Uint8Array`) instead of silently writing `null` or dropping it: a digest must not make two
 * different arguments look equal.
 */
export function canonicalJson(value: unknown): string {
  return write(value, new Set());
}

function write(value: unknown, path: Set<object>): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonical JSON cannot carry the number ${value}`);
      return JSON.stringify(value);
    case 'object':
      return writeObject(value, path);
    default:
      throw new TypeError(`canonical JSON cannot carry a ${typeof value}`);
  }
}

function writeObject(value: object, path: Set<object>): string {
  if (path.has(value)) throw new TypeError('canonical JSON cannot carry a cyclic value');
  path.add(value);
  let text: string;
  if (Array.isArray(value)) {
    text = `[${value.map((item) => write(item ?? null, path)).join(',')}]`;
  } else {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      throw new TypeError(`canonical JSON cannot carry a ${value.constructor?.name ?? 'class instance'}`);
    }
    const record = value as Record<string, unknown>;
    const members: string[] = [];
    for (const key of Object.keys(record).sort()) {
      const member = record[key];
      // Absent and undefined mean the same in JSON.
      if (member !== undefined) members.push(`${JSON.stringify(key)}:${write(member, path)}`);
    }
    text = `{${members.join(',')}}`;
  }
  path.delete(value);
  return text;
}
