/** Words shared by policy files, the decision engine, Cedar conditions and the session statechart. */

/** Graduated access tiers (seed: read-only for analytics, standard for operations, privileged with approval). */
export const Tier = { ReadOnly: 'read-only', Standard: 'standard', Privileged: 'privileged' } as const;
export type Tier = (typeof Tier)[keyof typeof Tier];

/** What a tool does to the world; the catalogue says it for each tool. */
export const Effect = { Read: 'read', Write: 'write', Egress: 'egress', Admin: 'admin' } as const;
export type Effect = (typeof Effect)[keyof typeof Effect];

/** The session statechart's states that decide what a call may get (DESIGN.md, "The session statechart"). */
export const SessionState = {
  Active: 'active',
  Scrutinised: 'scrutinised',
  ReadOnly: 'readOnly',
  Suspended: 'suspended',
  Reauth: 'reauth',
} as const;
export type SessionState = (typeof SessionState)[keyof typeof SessionState];

/** The outcome of a decision. */
export const Verdict = { Allow: 'allow', Deny: 'deny', NeedsApproval: 'needs_approval' } as const;
export type Verdict = (typeof Verdict)[keyof typeof Verdict];
