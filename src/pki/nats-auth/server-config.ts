import type { TrustChain } from './accounts.js';

/**
 * nats-server configuration for operator mode, for `extraConfig`: the operator JWT, the system
 * account, and the `full` (nats-based) resolver with both accounts preloaded. The full resolver takes
 * account updates over NATS, so a revocation reaches running servers without a restart or reload, and
 * the preload makes a fresh or restarted server start from the current revocation list.
 */
export function renderServerConfig(
  chain: TrustChain,
  accounts: { mesh: string; system: string },
  resolverDir: string,
): string {
  const quote = (value: string) => JSON.stringify(value);
  return [
    '# trustmesh operator mode: written by trustmesh; regenerate it rather than editing.',
    `operator: ${quote(chain.operatorJwt)}`,
    `system_account: ${quote(accounts.system)}`,
    'resolver: {',
    '  type: full',
    `  dir: ${quote(resolverDir)}`,
    '  allow_delete: false',
    '  interval: "2m"',
    '}',
    'resolver_preload: {',
    `  ${quote(accounts.system)}: ${quote(chain.systemAccountJwt)}`,
    `  ${quote(accounts.mesh)}: ${quote(chain.meshAccountJwt)}`,
    '}',
    '',
  ].join('\n');
}
