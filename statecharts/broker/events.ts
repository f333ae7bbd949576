/** How pinned tool definitions differ from what the server now lists. */
export interface ToolsDiff {
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly changed: readonly string[];
}

/** Events the broker actor and operators send to the broker statechart. */
export type BrokerEvent =
  /** The MCP client connected and the listed definitions match the pins. */
  | { readonly type: 'CONNECTED' }
  | { readonly type: 'CONNECT_FAILED'; readonly error: string }
  /** Listed definitions differ from the pins (on `list_changed` or on reconnect). */
  | { readonly type: 'TOOLS_CHANGED'; readonly diff: ToolsDiff }
  /** A description carries injection markers. */
  | { readonly type: 'INJECTION_FLAGGED'; readonly tool: string; readonly markers: readonly string[] }
  /** `trustmesh broker approve <server>`: the current definitions become the pins. */
  | { readonly type: 'OPERATOR_APPROVE'; readonly operator: string }
  /** Restart connecting after the retry budget ran out. */
  | { readonly type: 'OPERATOR_RETRY'; readonly operator: string }
  | { readonly type: 'SERVER_EXITED'; readonly error: string }
  | { readonly type: 'DRAIN' }
  /** Every in-flight call has finished. */
  | { readonly type: 'DRAINED' };

/** Why a broker is quarantined; kept across reconnects until an operator approves. */
export type Quarantine =
  | { readonly kind: 'tools_changed'; readonly diff: ToolsDiff }
  | { readonly kind: 'injection_flagged'; readonly tool: string; readonly markers: readonly string[] };
