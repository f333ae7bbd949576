import { z } from 'zod';
import { SignalKind } from '../../../statecharts/index.js';
import { MonitorSnapshotError } from './errors.js';

const counter = z.tuple([z.number().nonnegative(), z.number()]).readonly();
const filter = z.object({ bits: z.base64(), size: z.number().int().nonnegative() }).strict();
const assessment = z
  .object({
    score: z.number().min(0).max(1),
    reasons: z.array(z.string()).readonly(),
    signals: z.array(z.object({ kind: z.enum(SignalKind), detail: z.string() }).strict()).readonly(),
  })
  .strict();

const snapshotSchema = z
  .object({
    version: z.literal(1),
    purpose: z.string().min(1),
    /** The baselines the session was judged by; a restored session is judged by the node's current ones. */
    baselineVersion: z.string().nullable(),
    startedAt: z.number(),
    known: filter,
    tainted: filter,
    calls: counter,
    denials: counter,
    authFailures: counter,
    rules: z.array(
      z
        .object({
          name: z.string().min(1),
          state: z.union([counter, z.number(), z.null()]),
          hitAt: z.number().nullable(),
          detail: z.string().nullable(),
        })
        .strict(),
    ),
    sensitivePending: z.array(z.string()).max(64),
    previousTool: z.string().min(1),
    drift: z.number().min(0).max(1),
    sequence: z.number().min(0).max(1),
    taint: z
      .object({ at: z.number().nullable(), count: z.number().int().nonnegative(), tool: z.string() })
      .strict(),
    levels: z.array(z.number().min(0).max(1)),
    last: assessment,
  })
  .strict();

/**
 * A session monitor's whole state as plain JSON, kept in the session snapshot so a session rehydrated on
 * another node is judged as if it had never moved (taint and known tokens included).
 */
export type MonitorSnapshot = z.output<typeof snapshotSchema>;

/** Validates a monitor snapshot read back from storage; throws `MonitorSnapshotError` naming the field. */
export function parseMonitorSnapshot(value: unknown, source: string): MonitorSnapshot {
  const parsed = snapshotSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new MonitorSnapshotError(
    `${source}: monitor.${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}; the session cannot be restored with its behaviour history, suspend it or kill it`,
  );
}
