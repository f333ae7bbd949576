import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { Effect } from '../../policy/vocabulary.js';
import { MonitorConfigError } from './errors.js';

/** Kinds of declarative detection rule. */
export const RuleKind = {
  Sequence: 'sequence',
  SensitiveAccess: 'sensitive_access',
  Volume: 'volume',
  Burst: 'burst',
} as const;
export type RuleKind = (typeof RuleKind)[keyof typeof RuleKind];

/** Picks calls out for a sequence rule: every given field must match. */
const selector = z
  .object({
    tool: z.string().min(1).optional(),
    effect: z.enum([Effect.Read, Effect.Write, Effect.Egress, Effect.Admin]).optional(),
    sensitive: z.boolean().optional(),
  })
  .strict();

const common = {
  name: z.string().min(1),
  /** Risk in [0, 1] the rule adds when it fires; it then halves every `ruleHalfLifeMs`. */
  severity: z.number().min(0).max(1),
  /** Purposes the rule applies to; all when absent. */
  purposes: z.array(z.string().min(1)).min(1).optional(),
};
const positiveInt = z.number().int().positive();

const ruleSchema = z.discriminatedUnion('kind', [
  z
    .object({
      ...common,
      kind: z.literal(RuleKind.Sequence),
      first: selector,
      next: selector,
      withinCalls: positiveInt,
    })
    .strict(),
  z
    .object({
      ...common,
      kind: z.literal(RuleKind.SensitiveAccess),
      /** When present the rule fires only outside these local hours ([start, end) in `timeZone`). */
      outsideHours: z
        .object({
          start: z.number().int().min(0).max(23),
          end: z.number().int().min(1).max(24),
          timeZone: z.string().min(1),
          weekdaysOnly: z.boolean().default(false),
        })
        .strict()
        .refine((h) => h.start < h.end, { message: 'start must be before end' })
        .optional(),
    })
    .strict(),
  z
    .object({
      ...common,
      kind: z.literal(RuleKind.Volume),
      /** `in`: argument bytes sent to tools, `out`: result bytes returned, `total`: both. */
      direction: z.enum(['in', 'out', 'total']),
      maxBytes: positiveInt,
      windowMs: positiveInt,
    })
    .strict(),
  z
    .object({
      ...common,
      kind: z.literal(RuleKind.Burst),
      of: z.enum(['denial', 'auth_failure']),
      count: positiveInt,
      windowMs: positiveInt,
    })
    .strict(),
]);

const configSchema = z
  .object({
    sensitive: z.object({ paths: z.array(z.string().min(1)) }).strict(),
    canary: z.object({ paths: z.array(z.string().min(1)), tokens: z.array(z.string().min(8)) }).strict(),
    /** Argument keys whose values are prose the agent writes; they count for taint, not for drift. */
    freeTextKeys: z.array(z.string().min(1)),
    rules: z.array(ruleSchema),
  })
  .strict();

export type DetectionRule = z.output<typeof ruleSchema>;
export type CallSelector = z.output<typeof selector>;
export type MonitorConfig = z.output<typeof configSchema>;

/** Secrets by path, the seed's usual suspects; a sensitive read followed by egress is the classic exfiltration. */
export const DEFAULT_MONITOR_CONFIG: MonitorConfig = {
  sensitive: {
    paths: [
      '**/.env*',
      '**/secrets*',
      '**/id_rsa*',
      '**/id_ed25519*',
      '**/*.pem',
      '**/.aws/credentials',
      '**/.netrc',
    ],
  },
  canary: { paths: [], tokens: [] },
  freeTextKeys: ['body', 'content', 'text', 'message', 'comment', 'description', 'title', 'summary'],
  rules: [
    {
      name: 'sensitive-read-then-egress',
      kind: RuleKind.Sequence,
      first: { sensitive: true },
      next: { effect: Effect.Egress },
      withinCalls: 50,
      severity: 0.95,
    },
    { name: 'credential-access', kind: RuleKind.SensitiveAccess, severity: 0.8 },
    {
      name: 'auth-failure-burst',
      kind: RuleKind.Burst,
      of: 'auth_failure',
      count: 3,
      windowMs: 60_000,
      severity: 0.95,
    },
  ],
};

/**
 * Reads a detection config (YAML or JSON; JSON is YAML) over the defaults: a given section replaces the
 * default one. Throws `MonitorConfigError` naming the source and field at fault, and rejects duplicate
 * rule names so `reasons` stay unambiguous.
 */
export function parseMonitorConfig(text: string, source: string): MonitorConfig {
  let raw: unknown;
  try {
    raw = parseYaml(text) ?? {};
  } catch (err) {
    throw new MonitorConfigError(`${source}: not YAML (${(err as Error).message}); fix the syntax`, {
      cause: err,
    });
  }
  const parsed = configSchema.safeParse({ ...DEFAULT_MONITOR_CONFIG, ...(raw as object) });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new MonitorConfigError(
      `${source}: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}; fix the detection config`,
    );
  }
  const seen = new Set<string>();
  for (const [i, rule] of parsed.data.rules.entries()) {
    if (seen.has(rule.name)) {
      throw new MonitorConfigError(
        `${source}: rules.${i}.name: '${rule.name}' is used twice; give each rule its own name`,
      );
    }
    seen.add(rule.name);
  }
  return parsed.data;
}
