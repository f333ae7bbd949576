import { createReadStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { connect } from '@nats-io/transport-node';
import type { Command } from 'commander';
import {
  type AuditCall,
  BASELINE_BUCKET,
  BASELINE_KEY,
  DEFAULT_MIN_SESSIONS,
  learnBaselines,
  openBaselineBucket,
  parseAuditLine,
  storeBaselines,
} from '../actors/monitor/index.js';
import { createOutput, reportFailure } from './output.js';

async function readAudit(paths: readonly string[]): Promise<AuditCall[]> {
  const calls: AuditCall[] = [];
  for (const path of paths) {
    let number = 0;
    for await (const line of createInterface({
      input: createReadStream(path),
      crlfDelay: Number.POSITIVE_INFINITY,
    })) {
      number++;
      if (line.trim().length > 0) calls.push(parseAuditLine(line, `${path}:${number}`));
    }
  }
  // Each session's calls in time order, whatever order the files came in.
  return calls.sort((a, b) => a.time - b.time);
}

/** `trustmesh baseline learn`: per-purpose behaviour baselines from audit JSON-lines. */
export function registerBaselineCommands(program: Command): void {
  const baseline = program
    .command('baseline')
    .description('Learn what is normal for each purpose (behaviour monitor).');
  baseline
    .command('learn')
    .description('Learn per-purpose baselines (call rate, duration, tool sequences) from audit JSON-lines.')
    .argument('<audit...>', 'audit JSON-lines files (trustmesh audit export)')
    .requiredOption('--out <file>', 'where to write the versioned baselines file')
    .option(
      '--min-sessions <n>',
      'clean sessions a purpose needs before it gets its own baseline',
      String(DEFAULT_MIN_SESSIONS),
    )
    .option('--nats <url>', `also store the baselines in the KV bucket ${BASELINE_BUCKET}`)
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      '\nExample:\n  trustmesh baseline learn audit/*.jsonl --out baselines.json --nats nats://127.0.0.1:4222',
    )
    .action(
      async (paths: string[], opts: { out: string; minSessions: string; nats?: string; json?: boolean }) => {
        const output = createOutput(Boolean(opts.json));
        try {
          const minSessions = Number(opts.minSessions);
          if (!(Number.isSafeInteger(minSessions) && minSessions > 0)) {
            throw new TypeError(`--min-sessions must be a positive integer, got '${opts.minSessions}'`);
          }
          const calls = await readAudit(paths);
          const set = learnBaselines(calls, { now: Date.now(), minSessions });
          const text = `${JSON.stringify(set, null, 2)}\n`;
          await writeFile(opts.out, text);
          let revision: number | undefined;
          if (opts.nats) {
            const nc = await connect({ servers: opts.nats });
            try {
              revision = await storeBaselines(await openBaselineBucket(nc), set);
            } finally {
              await nc.close();
            }
          }
          const purposes = Object.keys(set.purposes);
          output.result(
            `learned ${set.version} from ${calls.length} calls: ${purposes.length ? purposes.join(', ') : 'no purpose had enough clean sessions (cold-start defaults apply)'}; wrote ${opts.out}` +
              (revision === undefined
                ? ''
                : `; stored in KV ${BASELINE_BUCKET}/${BASELINE_KEY} revision ${revision}`),
            { version: set.version, calls: calls.length, purposes, out: opts.out, revision },
          );
        } catch (err) {
          process.exitCode = reportFailure(err, Boolean(opts.json));
        }
      },
    );
}
