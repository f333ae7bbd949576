import { readFile } from 'node:fs/promises';
import { MAX_ID_TOKEN_CHARS } from '../actors/control/index.js';
import { TrustmeshError } from '../errors.js';

export class IdTokenFileError extends TrustmeshError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_ID_TOKEN_FILE', message, options);
  }
}

/** The approver's ID token from `source` (a file, or `-` for stdin), trimmed; the node verifies it. */
export async function readIdToken(source: string): Promise<string> {
  const where = source === '-' ? 'standard input' : source;
  let text: string;
  try {
    text = source === '-' ? await readStdin() : await readFile(source, 'utf8');
  } catch (cause) {
    throw new IdTokenFileError(
      `cannot read the ID token from ${where} (${(cause as Error).message}); check the path, or pipe it with --id-token -.`,
      { cause },
    );
  }
  const token = text.trim();
  if (token === '' || token.length > MAX_ID_TOKEN_CHARS || /\s/.test(token)) {
    throw new IdTokenFileError(
      `${where} does not hold one ID token (a compact JWT of at most ${MAX_ID_TOKEN_CHARS} characters); ` +
        "save the provider's id_token alone in it and try again.",
    );
  }
  return token;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
