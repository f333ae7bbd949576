import type { Command } from 'commander';
import type { ApproverVerifierOptions } from '../pki/approvers/index.js';
import { ApproverOptionsError } from '../pki/approvers/index.js';

/** The approver identity provider as `trustmesh node` and `trustmesh up` take it. */
export interface ApproverFlags {
  approverIssuer?: string;
  approverAudience?: string;
  approverJwksUri?: string;
}

/** Adds --approver-issuer, --approver-audience and --approver-jwks-uri. */
export function withApproverFlags(command: Command): Command {
  return command
    .option('--approver-issuer <url>', "OIDC issuer of the approvers' identity provider (approvals need it)")
    .option('--approver-audience <client-id>', "the mesh's client id at that provider: the ID tokens' aud")
    .option(
      '--approver-jwks-uri <url>',
      "the provider's JWKS URL (default: discovered from <issuer>/.well-known/openid-configuration)",
    );
}

/** The verifier options, or undefined when no provider is configured (the node then refuses approvals). */
export function approverOptions(flags: ApproverFlags): ApproverVerifierOptions | undefined {
  const { approverIssuer: issuer, approverAudience: audience, approverJwksUri: jwksUri } = flags;
  if (issuer === undefined && audience === undefined && jwksUri === undefined) return undefined;
  if (!issuer || !audience) {
    throw new ApproverOptionsError(
      'an approver identity provider needs both --approver-issuer and --approver-audience; give both, or neither to refuse approvals.',
    );
  }
  return { issuer, audience, ...(jwksUri ? { jwksUri } : {}) };
}

/** The same flags again, to hand them on to a child `trustmesh node`. */
export function approverArgs(flags: ApproverFlags): string[] {
  const options = approverOptions(flags);
  if (!options) return [];
  const args = ['--approver-issuer', options.issuer, '--approver-audience', options.audience];
  return options.jwksUri ? [...args, '--approver-jwks-uri', options.jwksUri] : args;
}
