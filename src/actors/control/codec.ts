import type { z } from 'zod';
import { TrustmeshError } from '../../errors.js';
import { ControlError, ControlErrorCode } from './errors.js';
import type { ControlReply } from './messages.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Largest control request or reply body accepted; control messages are small. */
export const MAX_CONTROL_BYTES = 64 * 1024;

export function encodeJson(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

export function encodeReply<T>(reply: ControlReply<T>): Uint8Array {
  return encodeJson(reply);
}

export function errorReply(err: unknown): ControlReply<never> {
  // Trustmesh errors are written for the operator: pass code and message through.
  if (err instanceof TrustmeshError) return { ok: false, error: { code: err.code, message: err.message } };
  // Anything else is our fault; the requester gets the code, the node's log gets the detail.
  return {
    ok: false,
    error: {
      code: ControlErrorCode.Internal,
      message: 'The mesh node failed while handling the request; see the node log, then retry.',
    },
  };
}

/** Parses a JSON body against `schema`; an empty body counts as `{}`. Throws `ERR_CONTROL_MALFORMED`. */
export function decodeBody<S extends z.ZodType>(schema: S, data: Uint8Array, what: string): z.infer<S> {
  if (data.byteLength > MAX_CONTROL_BYTES) {
    throw malformed(`${what} is ${data.byteLength} bytes; the limit is ${MAX_CONTROL_BYTES}`);
  }
  let value: unknown;
  try {
    value = data.byteLength === 0 ? {} : JSON.parse(decoder.decode(data));
  } catch {
    throw malformed(`${what} is not UTF-8 JSON`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`)
      .join('; ');
    throw malformed(`${what} is invalid (${problems})`);
  }
  return parsed.data;
}

function malformed(problem: string): ControlError {
  return new ControlError(ControlErrorCode.Malformed, `${problem}; fix the request and send it again.`);
}
