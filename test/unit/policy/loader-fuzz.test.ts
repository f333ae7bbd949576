import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileCedarConditions } from '../../../src/policy/cedar/index.js';
import { PolicyValidationError, parsePolicy } from '../../../src/policy/index.js';
import type { PolicyIssue } from '../../../src/policy/issues.js';

const CORPUS = new URL('../../corpus/policy/', import.meta.url);
const SEEDS = readdirSync(CORPUS)
  .filter((name) => name.endsWith('.yaml'))
  .sort()
  .map((name) => ({ name, text: readFileSync(new URL(name, CORPUS), 'utf8') }));

/** Fragments a policy author (or an attacker) plausibly types: keys, values, YAML and Cedar syntax. */
const TOKENS = [
  ...['purposes', 'session', 'catalogue', 'tools', 'methods', 'limits', 'schedule', 'windows', 'conditions'],
  ...[
    'allowed',
    'scope',
    'exclude',
    'requires',
    'approval',
    'tier',
    'ttl',
    'effect',
    'resource',
    'kind',
    'root',
  ],
  ...['callsPerMinute', 'bytesIn', 'bytesOut', 'timeZone', 'days', 'from', 'to', 'caseInsensitive'],
  ...[
    'true',
    'false',
    'null',
    '~',
    'required',
    'read-only',
    'privileged',
    'egress',
    'path',
    '3600',
    '-1',
    '1e999',
  ],
  ...[
    ': ',
    '- ',
    '[',
    ']',
    '{',
    '}',
    ',',
    '"',
    "'",
    '|',
    '>',
    '&a',
    '*a',
    '!!str',
    '? ',
    '#',
    '---',
    '...',
    '\t',
  ],
  ...['**', '*', '?', '{a,b}', '[!x]', '\\', '..', '%2e%2e', '\u0000', '\u202e', '\uFEFF', 'é', '\r\n'],
  ...['permit(principal, action, resource);', 'forbid(principal, action, resource) when {', '};', 'context.'],
  ...['context.hour < 8', 'context.args.getTag("path")', '?principal', '@id("x")', 'unless { true }', '"""'],
  ...['github.get_pull_request', 'github.nosuch', 'filesystem.read_file', 'nodot', '  ', '\n'],
];

type Edit = (text: string) => string;

const at = (text: string, where: number): number => Math.floor(where * (text.length + 1));

/** Text edits that keep most of a seed intact, so mutants get past the YAML parser often enough. */
const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(...TOKENS)).map(
    ([where, token]): Edit =>
      (text) =>
        text.slice(0, at(text, where)) + token + text.slice(at(text, where)),
  ),
  fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 1, max: 40 })).map(
    ([where, length]): Edit =>
      (text) =>
        text.slice(0, at(text, where)) + text.slice(at(text, where) + length),
  ),
  fc.tuple(fc.nat(), fc.nat()).map(
    ([a, b]): Edit =>
      (text) =>
        swapLines(text, a, b),
  ),
  fc.tuple(fc.nat(), fc.integer({ min: -4, max: 4 })).map(
    ([line, by]): Edit =>
      (text) =>
        indent(text, line, by),
  ),
  fc.double({ min: 0, max: 1, noNaN: true }).map(
    (where): Edit =>
      (text) =>
        text.slice(0, at(text, where)),
  ),
  fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.string({ unit: 'binary', maxLength: 8 })).map(
    ([where, junk]): Edit =>
      (text) =>
        text.slice(0, at(text, where)) + junk + text.slice(at(text, where)),
  ),
);

function swapLines(text: string, a: number, b: number): string {
  const lines = text.split('\n');
  const i = a % lines.length;
  const j = b % lines.length;
  [lines[i], lines[j]] = [lines[j] ?? '', lines[i] ?? ''];
  return lines.join('\n');
}

function indent(text: string, line: number, by: number): string {
  const lines = text.split('\n');
  const i = line % lines.length;
  const current = lines[i] ?? '';
  lines[i] = by >= 0 ? ' '.repeat(by) + current : current.replace(new RegExp(`^ {0,${-by}}`), '');
  return lines.join('\n');
}

const mutant = fc
  .tuple(fc.constantFrom(...SEEDS), fc.array(edit, { minLength: 1, maxLength: 4 }))
  .map(([seed, edits]) => ({ name: seed.name, text: edits.reduce((text, e) => e(text), seed.text) }));

/** An issue a reader can act on: in a given file, on a line that exists, naming a field. */
function expectLocated(
  issues: readonly PolicyIssue[],
  files: readonly { name: string; text: string }[],
): void {
  expect(issues.length).toBeGreaterThan(0);
  for (const issue of issues) {
    const file = files.find((f) => f.name === issue.file);
    expect(file, `issue in unknown file: ${JSON.stringify(issue)}`).toBeDefined();
    expect(Number.isInteger(issue.line) && issue.line >= 1, JSON.stringify(issue)).toBe(true);
    expect(issue.line, JSON.stringify(issue)).toBeLessThanOrEqual(file!.text.split('\n').length);
    expect(typeof issue.field, JSON.stringify(issue)).toBe('string');
    expect(issue.message.length).toBeGreaterThan(0);
  }
}

/** Loads, and returns the error's issues when the load is refused; anything else thrown fails the property. */
function load(files: readonly { name: string; text: string }[]): readonly PolicyIssue[] | undefined {
  try {
    parsePolicy(files);
    return undefined;
  } catch (err) {
    if (!(err instanceof PolicyValidationError)) throw err;
    return err.issues;
  }
}

/** Where each broken seed's known mistakes are, as [line, field]: the loader must point at each of them. */
const EXPECTED: Readonly<Record<string, readonly (readonly [number, string])[]>> = {
  'broken-alias-bomb.yaml': [[7, 'purposes']],
  'broken-cedar-parse.yaml': [
    [5, 'purposes.review.conditions'],
    [10, 'purposes.review.tools.github.get_pull_request.conditions'],
  ],
  'broken-cedar-schema.yaml': [8, 9, 10].map((line) => [
    line,
    'purposes.review.tools.github.get_pull_request.conditions',
  ]),
  'broken-contradictions.yaml': [
    [6, 'purposes.analytics.tools.github.merge_pull_request.scope[0]'],
    [10, 'purposes.analytics.limits.schedule.timeZone'],
    [11, 'purposes.analytics.limits.schedule.windows[0].days[1]'],
  ],
  'broken-duplicate-keys.yaml': [
    [5, ''],
    [6, ''],
  ],
  'broken-globs.yaml': [
    [6, 'purposes.review.tools.github.get_pull_request.scope[0]'],
    [6, 'purposes.review.tools.github.get_pull_request.scope[1]'],
    [7, 'purposes.review.tools.github.get_pull_request.exclude[1]'],
  ],
  'broken-requires.yaml': [
    [7, 'purposes.review.tools.github.create_comment.requires[1]'],
    [8, 'purposes.review.tools.nodot'],
  ],
  'broken-types.yaml': [
    [3, 'purposes.review.tier'],
    [4, 'purposes.review.ttl'],
    [12, 'purposes.other.tools.github.get_pull_request.scope'],
  ],
  'broken-unknown-keys.yaml': [
    [4, 'purposes.review.colour'],
    [8, 'purposes.review.tools.github.get_pull_request.scopes'],
    [9, 'session_id'],
  ],
  'broken-yaml-syntax.yaml': [[4, '']],
};

describe('policy loader corpus', () => {
  it.each(SEEDS.filter((s) => s.name.startsWith('valid-')))('loads $name', (seed) => {
    expect(load([seed])).toBeUndefined();
  });

  it.each(SEEDS.filter((s) => s.name.startsWith('broken-')))('refuses $name with located issues', (seed) => {
    const issues = load([seed]);
    expect(issues).toBeDefined();
    expectLocated(issues!, [seed]);
    const found = issues!.map((i) => [i.line, i.field]);
    for (const expected of EXPECTED[seed.name] ?? []) expect(found).toContainEqual(expected);
  });
});

describe('policy loader fuzzing', () => {
  it('never crashes or throws anything but PolicyValidationError, and every issue is located', () => {
    fc.assert(
      fc.property(mutant, (file) => {
        const issues = load([file]);
        if (issues) expectLocated(issues, [file]);
      }),
      { numRuns: 300 },
    );
  }, 300_000);

  it('locates issues in the right file when several files load together', () => {
    fc.assert(
      fc.property(mutant, fc.constantFrom(...SEEDS), (broken, other) => {
        const files = [broken, { name: `other-${other.name}`, text: other.text }];
        const issues = load(files);
        if (issues) expectLocated(issues, files);
      }),
      { numRuns: 60 },
    );
  }, 300_000);

  it('the Cedar adapter alone only ever reports located PolicyValidationErrors', () => {
    const statement = fc
      .array(
        fc.constantFrom(...TOKENS, 'context.state == "active"', 'resource.effect', '&&', '||', '!', '(', ')'),
        {
          maxLength: 12,
        },
      )
      .map((parts) => parts.join(' '));
    fc.assert(
      fc.property(
        fc.array(statement, { minLength: 1, maxLength: 3 }),
        fc.integer({ min: 1, max: 500 }),
        (texts, line) => {
          const text = texts.join('\n');
          try {
            compileCedarConditions([{ text, file: 'c.yaml', line, field: 'purposes.p.conditions' }]);
          } catch (err) {
            expect(err).toBeInstanceOf(PolicyValidationError);
            for (const issue of (err as PolicyValidationError).issues) {
              expect(issue).toMatchObject({ file: 'c.yaml', field: 'purposes.p.conditions' });
              expect(issue.line).toBeGreaterThanOrEqual(line);
              expect(issue.line).toBeLessThan(line + text.split('\n').length);
            }
          }
        },
      ),
      { numRuns: 150 },
    );
  }, 300_000);
});
