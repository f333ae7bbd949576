import { open, readFile, rename } from 'node:fs/promises';
import { z } from 'zod';

/** The next byte to ship: an offset at a line start in one segment. */
export const ShipCursorSchema = z.strictObject({
  segment: z.number().int().positive(),
  offset: z.number().int().nonnegative(),
  /** Records acknowledged since the cursor was created. */
  shipped: z.number().int().nonnegative(),
});
export type ShipCursor = z.infer<typeof ShipCursorSchema>;

export const START_CURSOR: ShipCursor = { segment: 1, offset: 0, shipped: 0 };

/** The saved cursor, or the start of the log when there is none yet. */
export async function loadCursor(path: string): Promise<ShipCursor> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return START_CURSOR;
    throw err;
  }
  // A cursor that does not parse restarts from the beginning: redelivery is deduplicated, loss is not recoverable.
  const parsed = ShipCursorSchema.safeParse(safeJson(text));
  return parsed.success ? parsed.data : START_CURSOR;
}

/** Writes the cursor atomically (temp file, sync, rename), so a crash leaves the old or the new one. */
export async function saveCursor(path: string, cursor: ShipCursor): Promise<void> {
  const temp = `${path}.tmp`;
  const file = await open(temp, 'w');
  try {
    await file.writeFile(JSON.stringify(cursor));
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temp, path);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
