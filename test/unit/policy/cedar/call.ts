import type { CedarCallContext, CedarConditions } from '../../../../src/policy/cedar/index.js';
import { compileCedarConditions } from '../../../../src/policy/cedar/index.js';

/** A write call in an active code-review session, Monday 2024-01-08 10:00 UTC. */
export const CALL: CedarCallContext = {
  principal: 'alice@example.com',
  purpose: 'code-review',
  tier: 'standard',
  state: 'active',
  server: 'github',
  tool: 'create_comment',
  effect: 'write',
  resource: 'acme/widgets#42',
  args: { owner: 'acme', repo: 'widgets', pull_number: 42, draft: false, labels: ['x'], note: null },
  history: {},
  callsTotal: 0,
  now: Date.UTC(2024, 0, 8, 10, 0),
  timeZone: 'UTC',
};

/** Compiles `text` as one block starting on line 10 of `policy.yaml`. */
export function conditions(text: string): CedarConditions {
  return compileCedarConditions([{ text, file: 'policy.yaml', line: 10, field: 'purposes.review.cedar' }]);
}
