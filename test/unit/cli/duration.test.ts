import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../../src/cli/duration.js';
import { relative, sessionTable } from '../../../src/cli/sessions-view.js';
import { renderTable } from '../../../src/cli/table.js';

describe('parseDuration', () => {
  it.each([
    ['90s', 90_000],
    ['30m', 1_800_000],
    ['1h', 3_600_000],
    ['1d2h', 93_600_000],
    ['1h30m15s', 5_415_000],
  ])('reads %s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '0s', '5', '1x', '2h1d', '-1h', '1.5h'])('refuses %j with the accepted forms', (text) => {
    expect(() => parseDuration(text)).toThrow(InvalidArgumentError);
    expect(() => parseDuration(text)).toThrow(/write e\.g\. 90s, 30m, 1h or 1d2h/);
  });
});

describe('time and table formatting', () => {
  it('shows the two largest units, and past or future', () => {
    expect(formatDuration(93_784_000)).toBe('1d 2h');
    expect(formatDuration(65_000)).toBe('1m 5s');
    expect(formatDuration(0)).toBe('0s');
    expect(relative(10_000, 4_000)).toBe('in 6s');
    expect(relative(4_000, 10_000)).toBe('6s ago');
  });

  it('aligns columns and says what to do when there is nothing to list', () => {
    expect(renderTable(['A', 'LONG'], [['xyz', 'v']])).toBe('A    LONG\nxyz  v');
    expect(sessionTable([], 0)).toContain('trustmesh session create --purpose P --user U');
  });
});
