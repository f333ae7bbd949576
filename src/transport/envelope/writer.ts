/**
 * The few MessagePack encodings the envelope layout writes, byte for byte as msgpackr writes them in
 * the codec's fixed configuration (a property test holds the two together), so envelopes can be
 * built in place in one buffer instead of through a generic encoder and a copy. Strings here are
 * ASCII only: ids, kinds and trace fields are checked to be visible or printable ASCII before they
 * get here, so one byte per character holds.
 */

export const NIL = 0xc0;

/** Bytes `value` takes: fixint, uint8/16/32 or int8/16/32 when it fits, otherwise float64. */
export function numberLength(value: number): number {
  if (value >>> 0 === value) {
    if (value < 0x80) return 1;
    if (value < 0x100) return 2;
    return value < 0x10000 ? 3 : 5;
  }
  if (value >> 0 === value) {
    if (value >= -0x20) return 1;
    if (value >= -0x80) return 2;
    return value >= -0x8000 ? 3 : 5;
  }
  return 9;
}

export function writeNumber(out: Buffer, at: number, value: number): number {
  if (value >>> 0 === value) {
    if (value < 0x80) {
      out[at] = value;
      return at + 1;
    }
    if (value < 0x100) {
      out[at] = 0xcc;
      out[at + 1] = value;
      return at + 2;
    }
    if (value < 0x10000) {
      out[at] = 0xcd;
      out.writeUInt16BE(value, at + 1);
      return at + 3;
    }
    out[at] = 0xce;
    out.writeUInt32BE(value, at + 1);
    return at + 5;
  }
  if (value >> 0 === value) {
    if (value >= -0x20) {
      out[at] = 0x100 + value;
      return at + 1;
    }
    if (value >= -0x80) {
      out[at] = 0xd0;
      out.writeInt8(value, at + 1);
      return at + 2;
    }
    if (value >= -0x8000) {
      out[at] = 0xd1;
      out.writeInt16BE(value, at + 1);
      return at + 3;
    }
    out[at] = 0xd2;
    out.writeInt32BE(value, at + 1);
    return at + 5;
  }
  out[at] = 0xcb;
  out.writeDoubleBE(value, at + 1);
  return at + 9;
}

function strHeaderLength(length: number): number {
  if (length < 0x20) return 1;
  return length < 0x100 ? 2 : length < 0x10000 ? 3 : 5;
}

/** Bytes an ASCII string takes, or nil for undefined. */
export function asciiLength(value: string | undefined): number {
  return value === undefined ? 1 : strHeaderLength(value.length) + value.length;
}

/** Writes an ASCII string (fixstr, str8/16/32), or nil for undefined. */
export function writeAscii(out: Buffer, at: number, value: string | undefined): number {
  if (value === undefined) {
    out[at] = NIL;
    return at + 1;
  }
  const length = value.length;
  let start = at;
  if (length < 0x20) out[start++] = 0xa0 | length;
  else if (length < 0x100) {
    out[start++] = 0xd9;
    out[start++] = length;
  } else if (length < 0x10000) {
    out[start++] = 0xda;
    out.writeUInt16BE(length, start);
    start += 2;
  } else {
    out[start++] = 0xdb;
    out.writeUInt32BE(length, start);
    start += 4;
  }
  return start + out.write(value, start, length, 'latin1');
}

export function binHeaderLength(length: number): number {
  if (length < 0x100) return 2;
  return length < 0x10000 ? 3 : 5;
}

/** Writes the shortest bin header for `length` bytes. */
export function writeBinHeader(out: Buffer, at: number, length: number): number {
  if (length < 0x100) {
    out[at] = 0xc4;
    out[at + 1] = length;
    return at + 2;
  }
  if (length < 0x10000) {
    out[at] = 0xc5;
    out.writeUInt16BE(length, at + 1);
    return at + 3;
  }
  out[at] = 0xc6;
  out.writeUInt32BE(length, at + 1);
  return at + 5;
}
