import { ApproverError, ApproverErrorCode } from './errors.js';

/**
 * Reads the provider's OpenID discovery document and returns its JWKS URL, after checking that the
 * document names the issuer we were configured with (OpenID Connect Discovery 1.0, section 4.3).
 */
export async function discoverJwksUri(issuer: string, timeoutMs: number): Promise<URL> {
  const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
  let document: { issuer?: unknown; jwks_uri?: unknown };
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    document = (await response.json()) as typeof document;
  } catch (cause) {
    throw new ApproverError(
      ApproverErrorCode.Provider,
      `cannot read the identity provider's discovery document at ${url}; check the issuer URL and network.`,
      { cause },
    );
  }
  if (document.issuer !== issuer || typeof document.jwks_uri !== 'string') {
    throw new ApproverError(
      ApproverErrorCode.Provider,
      `the discovery document at ${url} names issuer '${String(document.issuer)}' or lacks jwks_uri; ` +
        'configure the issuer exactly as the provider spells it.',
    );
  }
  return new URL(document.jwks_uri);
}
