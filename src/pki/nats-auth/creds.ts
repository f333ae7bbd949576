/**
 * The `.creds` text nats.js (`credsAuthenticator`), the `nats` CLI and nsc read: the user JWT, then
 * its nkey seed. It holds a secret: write it with mode 0600 only.
 */
export function formatCreds(jwt: string, seed: string): string {
  return `-----BEGIN NATS USER JWT-----
${jwt}
------END NATS USER JWT------

************************* IMPORTANT *************************
NKEY Seed printed below can be used to sign and prove identity.
NKEYs are sensitive and should be treated as secrets.

-----BEGIN USER NKEY SEED-----
${seed}
------END USER NKEY SEED------

*************************************************************
`;
}
