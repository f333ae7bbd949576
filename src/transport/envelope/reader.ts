import { EnvelopeError, EnvelopeErrorCode } from './errors.js';

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A strict reader for the few MessagePack types the envelope layout uses. Hostile bytes meet no
 * generic decoder: no extension types, no nesting, no recursion, and every length is checked
 * against the bytes actually present before anything is allocated.
 */
export class WireReader {
  #pos = 0;
  readonly #bytes: Uint8Array;
  readonly #view: DataView;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Length of an array header. */
  arrayHeader(what: string): number {
    const token = this.#byte(what);
    if (token >= 0x90 && token <= 0x9f) return token & 0x0f;
    if (token === 0xdc) return this.#uint(2, what);
    if (token === 0xdd) return this.#uint(4, what);
    throw this.#fail(`${what} is not an array`);
  }

  /** Any MessagePack integer or float; undefined (nothing consumed) when the next value is not a number. */
  numberOrUndefined(what: string): number | undefined {
    const token = this.#peek(what);
    if (token <= 0x7f) return this.#skip(1, token);
    if (token >= 0xe0) return this.#skip(1, token - 0x100);
    const view = this.#view;
    const at = this.#pos + 1;
    switch (token) {
      case 0xcc:
        return this.#read(1, what, () => view.getUint8(at));
      case 0xcd:
        return this.#read(2, what, () => view.getUint16(at));
      case 0xce:
        return this.#read(4, what, () => view.getUint32(at));
      case 0xcf:
        return this.#read(8, what, () => Number(view.getBigUint64(at)));
      case 0xd0:
        return this.#read(1, what, () => view.getInt8(at));
      case 0xd1:
        return this.#read(2, what, () => view.getInt16(at));
      case 0xd2:
        return this.#read(4, what, () => view.getInt32(at));
      case 0xd3:
        return this.#read(8, what, () => Number(view.getBigInt64(at)));
      case 0xca:
        return this.#read(4, what, () => view.getFloat32(at));
      case 0xcb:
        return this.#read(8, what, () => view.getFloat64(at));
      default:
        return undefined;
    }
  }

  number(what: string): number {
    const value = this.numberOrUndefined(what);
    if (value === undefined) throw this.#fail(`${what} is not a number`);
    return value;
  }

  /** A UTF-8 string of at most `maxBytes`; undefined for nil. */
  stringOrNil(what: string, maxBytes: number): string | undefined {
    if (this.#peek(what) === 0xc0) {
      this.#pos += 1;
      return undefined;
    }
    return this.string(what, maxBytes);
  }

  string(what: string, maxBytes: number): string {
    const token = this.#byte(what);
    let length: number;
    if (token >= 0xa0 && token <= 0xbf) length = token & 0x1f;
    else if (token === 0xd9) length = this.#uint(1, what);
    else if (token === 0xda) length = this.#uint(2, what);
    else if (token === 0xdb) length = this.#uint(4, what);
    else throw this.#fail(`${what} is not a string`);
    if (length > maxBytes) throw this.#fail(`${what} is longer than ${maxBytes} bytes`);
    try {
      return UTF8.decode(this.#take(length, what));
    } catch (cause) {
      if (cause instanceof EnvelopeError) throw cause;
      throw this.#fail(`${what} is not valid UTF-8`);
    }
  }

  /** A binary value, returned as a view into the input (no copy). */
  bin(what: string): Uint8Array {
    const token = this.#byte(what);
    let length: number;
    if (token === 0xc4) length = this.#uint(1, what);
    else if (token === 0xc5) length = this.#uint(2, what);
    else if (token === 0xc6) length = this.#uint(4, what);
    else throw this.#fail(`${what} is not binary`);
    return this.#take(length, what);
  }

  /** Fails unless every byte was consumed. */
  end(what: string): void {
    if (this.#pos !== this.#bytes.length) {
      throw this.#fail(`${this.#bytes.length - this.#pos} unexpected bytes after ${what}`);
    }
  }

  #peek(what: string): number {
    const token = this.#bytes[this.#pos];
    if (token === undefined) throw this.#fail(`truncated before ${what}`);
    return token;
  }

  #byte(what: string): number {
    const token = this.#peek(what);
    this.#pos += 1;
    return token;
  }

  #skip(length: number, value: number): number {
    this.#pos += length;
    return value;
  }

  #read(length: number, what: string, get: () => number): number {
    this.#need(1 + length, what);
    return this.#skip(1 + length, get());
  }

  #uint(length: 1 | 2 | 4, what: string): number {
    this.#need(length, what);
    const at = this.#pos;
    this.#pos += length;
    if (length === 1) return this.#view.getUint8(at);
    return length === 2 ? this.#view.getUint16(at) : this.#view.getUint32(at);
  }

  #take(length: number, what: string): Uint8Array {
    this.#need(length, what);
    const start = this.#pos;
    this.#pos += length;
    return this.#bytes.subarray(start, this.#pos);
  }

  #need(length: number, what: string): void {
    if (this.#bytes.length - this.#pos < length) throw this.#fail(`truncated inside ${what}`);
  }

  #fail(problem: string): EnvelopeError {
    return malformed(`${problem}, at byte ${this.#pos}`);
  }
}

export function malformed(problem: string): EnvelopeError {
  return new EnvelopeError(
    EnvelopeErrorCode.Malformed,
    `envelope is malformed (${problem}): it was cut short, corrupted, or not sent by a trustmesh peer; drop it.`,
  );
}
