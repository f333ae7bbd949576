import { afterAll, describe, expect, it } from 'vitest';
import { canonicalRelativePath, createFsResolver, lexicalResolver } from '../../../src/policy/index.js';
import { makeCheckout } from './helpers.js';

const checkout = makeCheckout();
afterAll(() => checkout.cleanup());
const fs = createFsResolver();

/** Lexical canonicalisation then link resolution, as decide does it. */
function canonical(raw: string): string {
  const lexical = canonicalRelativePath(raw, checkout.root);
  if (!lexical.ok) return `refused:${lexical.problem}`;
  const real = fs.resolvePath(checkout.root, lexical.value);
  return real.ok ? real.value : `refused:${real.problem}`;
}

describe('path canonicalisation on a real checkout with real links', () => {
  const table: [string, string][] = [
    ['src/a.ts', 'src/a.ts'],
    ['./src/a.ts', 'src/a.ts'],
    ['src//a.ts', 'src/a.ts'],
    ['src/./x/../a.ts', 'src/a.ts'],
    ['src/../.env', '.env'],
    ['src/%2e%2e/.env', '.env'],
    ['src/%252e%252e/.env', '.env'],
    ['src/%25252525252e/.env', 'refused:resource'],
    ['src/a.ts%00.png', 'refused:resource'],
    ['src/a.ts\u0000.png', 'refused:resource'],
    ['src/a\u0007.ts', 'refused:resource'],
    ['src/%zz.ts', 'refused:resource'],
    ['../outside/stolen.ts', 'refused:resource'],
    ['src/../../outside/stolen.ts', 'refused:resource'],
    ['src\\..\\.env', 'refused:resource'],
    ['~/.ssh/id_ed25519', 'refused:resource'],
    ['', 'refused:resource'],
    ['.', '.'],
    ['src/escape/stolen.ts', 'refused:resource'],
    ['src/env.ts', '.env'],
    ['src/dangling.ts', 'refused:resource'],
    ['src/new-file.ts', 'src/new-file.ts'],
    ['src/new-dir/new-file.ts', 'src/new-dir/new-file.ts'],
  ];
  it.each(table)('%j → %s', (raw, expected) => {
    expect(canonical(raw)).toBe(expected);
  });

  it('takes absolute paths inside the root and refuses those outside it', () => {
    expect(canonical(`${checkout.root}/src/a.ts`)).toBe('src/a.ts');
    expect(canonical(`${checkout.root}/src/../.env`)).toBe('.env');
    expect(canonical(`${checkout.outside}/stolen.ts`)).toBe('refused:resource');
    expect(canonical(`${checkout.root}-evil/src/a.ts`)).toBe('refused:resource');
    expect(canonical('/etc/passwd')).toBe('refused:resource');
  });

  it('folds NFD to NFC and leaves full-width forms as the distinct names they are on disk', () => {
    expect(canonical('src/cafe\u0301.ts')).toBe('src/caf\u00e9.ts');
    expect(canonical('src/\uff0e\uff0e/.env')).toBe('src/\uff0e\uff0e/.env');
  });

  it('lexical resolution trusts links, which is why production resolves through the filesystem', () => {
    expect(lexicalResolver.resolvePath(checkout.root, 'src/escape/stolen.ts')).toEqual({
      ok: true,
      value: 'src/escape/stolen.ts',
    });
    expect(fs.resolvePath('/no/such/root', 'a.ts').ok).toBe(false);
  });
});
