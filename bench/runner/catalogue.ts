import type { Catalogue } from './targets.js';
import { atLeast, atMost } from './targets.js';

/**
 * Every figure the bench knows, with its target or the baseline it is shown against. A new figure
 * with a target goes here; figures a bench returns that are not listed are printed without one.
 * `bench/README.md` says what each figure measures.
 */
export const FIGURES: Catalogue = {
  nats_rr_p50_us: {},
  nats_rr_p99_us: {},
  nats_rr_rps: {},
  mcp_http_p50_us: {},
  mcp_http_p99_us: {},
  mcp_http_rps: {},
  mcp_nats_p50_us: { target: atMost(1.3, 'nats_rr_p50_us') },
  mcp_nats_p99_us: { compareWith: 'nats_rr_p99_us' },
  mcp_nats_rps: { target: atLeast(3, 'mcp_http_rps') },
  nats_chain_p50_us: {},
  nats_chain_p99_us: {},
  nats_chain_rps: {},
  mesh_call_p50_us: { target: atMost(1.5, 'nats_chain_p50_us') },
  mesh_call_p99_us: { compareWith: 'nats_chain_p99_us' },
  mesh_call_rps: { target: atLeast(0.6, 'nats_chain_rps') },
  tracing_off_p50_us: {},
  tracing_off_p99_us: {},
  tracing_off_rps: {},
  tracing_on_p50_us: { compareWith: 'tracing_off_p50_us' },
  tracing_on_p99_us: { compareWith: 'tracing_off_p99_us' },
  tracing_on_rps: { target: atLeast(0.9, 'tracing_off_rps') },
  envelope_sign_verify_us: {},
  policy_decide_p50_us: { target: atMost(10) },
  policy_decide_cedar_p50_us: { target: atMost(60) },
  kv_watch_p50_ms: {},
  kv_watch_p99_ms: {},
  policy_reload_p50_ms: { compareWith: 'kv_watch_p50_ms' },
  policy_reload_p99_ms: { compareWith: 'kv_watch_p99_ms' },
  cedar_evaluate_p50_us: {},
  token_verify_cached_us: { target: atMost(5) },
  token_verify_cold_us: {},
  session_create_per_s: { target: atLeast(1000) },
  monitor_update_us: { target: atMost(5) },
  audit_append_us: {},
  audit_append_rps: {},
  audit_on_rps: { target: atLeast(0.9, 'audit_off_rps') },
  audit_off_rps: {},
  audit_fdatasync_ms: {},
};
