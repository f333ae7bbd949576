import { describe, expect, it } from 'vitest';
import { sanitiseDescription, stripInvisible } from '../../../../src/actors/broker/index.js';

describe('sanitising descriptions', () => {
  it('strips ANSI escapes (colour, cursor moves, OSC titles)', () => {
    expect(stripInvisible('\x1b[31mred\x1b[0m \x1b[2Kline \x1b]0;title\x07done')).toBe('red line done');
  });

  it('strips control characters but keeps tabs and newlines', () => {
    expect(stripInvisible('a\x00b\x07c\rd\te\nf\x7fg\x85h')).toBe('abcd\te\nfgh');
  });

  it('strips zero-width, bidi and tag characters', () => {
    const smuggled = `safe${String.fromCodePoint(0xe0069, 0xe0067)}\u200b\u200d\u202e\u2066\ufeff\u00ad!`;
    expect(stripInvisible(smuggled)).toBe('safe!');
  });

  it('collapses blank space that pushes text out of view', () => {
    expect(sanitiseDescription(`Adds.${' '.repeat(300)}Hidden.\n\n\n\n\nMore.  `)).toBe(
      'Adds.  Hidden.\n\nMore.',
    );
  });

  it('leaves ordinary text as it is', () => {
    const text = 'Reads a file.\n\nArguments:\n\tpath — the file (UTF-8, ≤ 1 MiB).';
    expect(sanitiseDescription(text)).toBe(text);
  });
});
