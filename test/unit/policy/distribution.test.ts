import { describe, expect, it } from 'vitest';
import { decodeBundle, type StoredBundle } from '../../../src/policy/distribution/bucket.js';
import { compileStored } from '../../../src/policy/distribution/compile.js';
import { PolicyDistributionErrorCode } from '../../../src/policy/distribution/errors.js';
import { policyVersion } from '../../../src/policy/index.js';
import { PolicyValidationError } from '../../../src/policy/issues.js';

const VALID = 'purposes:\n  review:\n    tools:\n      github.get_pull_request: { allowed: true }\n';

function stored(text: string, version?: string): StoredBundle {
  const files = [{ name: 'policy.yaml', text }];
  return { format: 1, version: version ?? policyVersion(files), files, pushedAt: 1, pushedBy: 'test' };
}

const entry = (value: string, revision = 7) => ({ revision, string: () => value });

describe('stored policy bundles', () => {
  it('compiles a bundle whose version is the hash of its files', () => {
    const bundle = compileStored(decodeBundle(entry(JSON.stringify(stored(VALID)))));
    expect(bundle.version).toBe(stored(VALID).version);
    expect([...bundle.purposes.keys()]).toEqual(['review']);
  });

  it('rejects a bundle that does not compile, with the validation issues as cause', () => {
    const bad = stored('purposes:\n  review:\n    tier: omnipotent\n');
    let err: unknown;
    try {
      compileStored(decodeBundle(entry(JSON.stringify(bad))));
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: PolicyDistributionErrorCode.Rejected });
    expect((err as Error).message).toMatch(
      /revision 7 .* is invalid and was not applied:\n.*policy\.yaml:3/s,
    );
    expect((err as Error).cause).toBeInstanceOf(PolicyValidationError);
  });

  it('rejects a bundle whose declared version is not its files', () => {
    const forged = stored(VALID, `sha256:${'a'.repeat(64)}`);
    expect(() => compileStored(decodeBundle(entry(JSON.stringify(forged))))).toThrow(
      expect.objectContaining({
        code: PolicyDistributionErrorCode.Rejected,
        message: expect.stringContaining('hash to'),
      }),
    );
  });

  it.each([
    ['not JSON', '{'],
    ['another shape', JSON.stringify({ version: 'sha256:x', files: [] })],
    ['an unknown format', JSON.stringify({ ...stored(VALID), format: 2 })],
    ['extra fields', JSON.stringify({ ...stored(VALID), trusted: true })],
  ])('rejects a value that is %s', (_, value) => {
    expect(() => decodeBundle(entry(value))).toThrow(
      expect.objectContaining({ code: PolicyDistributionErrorCode.Rejected }),
    );
  });
});
