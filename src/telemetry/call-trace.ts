import { context, type Span, SpanKind, trace } from '@opentelemetry/api';
import { Attr } from './attributes.js';
import { endMcpSpan, endThrown, type McpOutcome } from './mcp-span.js';
import { recordCall } from './metrics.js';
import { Scope, tracer } from './tracer.js';

/** What the session actor says about a call's decision. */
export interface CallVerdict {
  readonly verdict: string;
  /** The denial's stable code, when denied. */
  readonly denialReason?: string;
  readonly rule?: string | undefined;
  readonly policyVersion?: string | undefined;
  readonly state: string;
}

/**
 * One mediated call as the session actor sees it: a `decide {tool}` span over the statechart's
 * decision (transitions the call causes nest under it), a CLIENT span over the broker request (its
 * trace context goes in the NATS headers), and the call metrics once it ends. Never throws.
 */
export class CallTrace {
  readonly #sid: string;
  readonly #tool: string;
  readonly #started = performance.now();
  readonly #decide: Span;
  #verdict = 'unknown';
  #denialReason: string | undefined;

  constructor(sid: string, tool: string) {
    this.#sid = sid;
    this.#tool = tool;
    this.#decide = tracer(Scope.Session).startSpan(`decide ${tool}`, {
      kind: SpanKind.INTERNAL,
      attributes: { [Attr.McpSessionId]: sid, [Attr.GenAiToolName]: tool },
    });
  }

  /** Runs `fn` (sending the call to the statechart) with the decision span active. */
  deciding<T>(fn: () => T): T {
    return context.with(trace.setSpan(context.active(), this.#decide), fn);
  }

  decided(verdict: CallVerdict): void {
    this.#verdict = verdict.verdict;
    this.#denialReason = verdict.denialReason;
    const span = this.#decide;
    if (span.isRecording()) {
      span.setAttributes({
        [Attr.Verdict]: verdict.verdict,
        [Attr.SessionState]: verdict.state,
        ...(verdict.rule === undefined ? {} : { [Attr.Rule]: verdict.rule }),
        ...(verdict.policyVersion === undefined ? {} : { [Attr.PolicyVersion]: verdict.policyVersion }),
      });
      if (verdict.denialReason !== undefined) {
        span.setAttribute(Attr.DenialReason, verdict.denialReason);
        // Also on the request's own span, where an operator looking at the call sees why it failed.
        trace.getActiveSpan()?.setAttribute(Attr.DenialReason, verdict.denialReason);
      }
    }
    span.end();
  }

  /** Runs the broker request in its CLIENT span, `{method} {server.tool}`, active so headers carry it. */
  async broker<T extends Record<string, unknown>>(
    server: string,
    method: string,
    fn: () => Promise<T>,
  ): Promise<T> {
    const span = tracer(Scope.Session).startSpan(
      method === 'tools/call' ? `${method} ${this.#tool}` : method,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          [Attr.McpMethodName]: method,
          [Attr.McpSessionId]: this.#sid,
          [Attr.Server]: server,
          [Attr.NetworkTransport]: 'tcp',
          [Attr.NetworkProtocolName]: 'nats',
          ...(method === 'tools/call' ? { [Attr.GenAiToolName]: this.#tool } : {}),
        },
      },
    );
    try {
      const result = await context.with(trace.setSpan(context.active(), span), fn);
      endMcpSpan(span, { result } as McpOutcome);
      return result;
    } catch (err) {
      endThrown(span, err);
      throw err;
    }
  }

  /** The call's answer went back (`errorType` when it failed); records the call metrics. */
  end(errorType?: string): void {
    recordCall({
      tool: this.#tool,
      verdict: this.#verdict,
      durationMs: performance.now() - this.#started,
      ...(this.#denialReason === undefined ? {} : { denialReason: this.#denialReason }),
      ...(errorType === undefined ? {} : { errorType }),
    });
  }
}
