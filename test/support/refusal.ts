import { expect } from 'vitest';

/** Awaits a call that must fail with an error of `type`, and returns that error for closer checks. */
export async function refusal<E extends Error>(
  pending: Promise<unknown>,
  type: abstract new (...args: never[]) => E,
): Promise<E> {
  const err = await pending.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(type);
  return err as E;
}
