/** The MCP requests a capability can authorise. */
export const CapabilityMethod = {
  ToolsCall: 'tools/call',
  ResourcesRead: 'resources/read',
  PromptsGet: 'prompts/get',
  /** The list methods carry no name: the capability's `tool` is the method itself. */
  ResourcesList: 'resources/list',
  ResourceTemplatesList: 'resources/templates/list',
  PromptsList: 'prompts/list',
} as const;
export type CapabilityMethod = (typeof CapabilityMethod)[keyof typeof CapabilityMethod];

/** What one capability authorises: exactly one call, on one server, with one set of arguments. */
export interface Capability {
  /** The session the call belongs to. */
  readonly sid: string;
  readonly server: string;
  readonly method: CapabilityMethod;
  /** Tool or prompt name without the `server.` prefix, the resource URI, or a list method's own name. */
  readonly tool: string;
  /** Hex SHA-256 of the canonical JSON of the call's arguments. */
  readonly argsDigest: string;
  /** Expiry, ms since the epoch. */
  readonly exp: number;
  /** Version of the policy bundle that allowed the call. */
  readonly policyVersion: string;
  /** 128 random bits, hex; each is accepted once. */
  readonly nonce: string;
  /** The session's id for this call, for audit correlation. */
  readonly callId: string;
}

/** Default capability lifetime: long enough to cross the mesh, short enough to be useless later. */
export const DEFAULT_CAPABILITY_TTL_MS = 10_000;
/** Longest lifetime a capability may have, from minting or as seen by a verifier's clock. */
export const MAX_CAPABILITY_LIFETIME_MS = 60_000;
/** Largest encoded capability a verifier decodes. */
export const MAX_CAPABILITY_BYTES = 8192;
