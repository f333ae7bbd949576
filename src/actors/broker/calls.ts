import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import type { JsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/types.js';
import type { Clock } from '../../clock.js';
import { type MeshIdentity, type MeshTrust, SignerError } from '../../pki/signer/index.js';
import { markActiveFailed, traceUpstreamCall } from '../../telemetry/index.js';
import { CapabilityError, CapabilityMethod, type NonceCache, verifyCapability } from '../capability/index.js';
import { BrokerError, BrokerErrorCode } from './errors.js';
import { type ListMethod, listUpstream } from './lists.js';
import { stripInvisible } from './sanitise.js';
import { sealBrokerResponse } from './signed-response.js';
import type { UpstreamConnection } from './upstream.js';
import { type BrokerResponse, type CallTarget, callTarget, decodeBrokerRequest } from './wire.js';

/** What serving one call needs from the broker. */
export interface CallContext {
  readonly server: string;
  /** The broker's certificate and key: every answer is signed with it. */
  readonly identity: MeshIdentity;
  /** Checks the node certificate that signed each capability. */
  readonly trust: MeshTrust;
  readonly nonces: NonceCache;
  readonly clock: Clock;
  readonly callTimeoutMs: number;
  /** Resolves once a re-listing in progress has been judged, so no call slips past a rug pull. */
  settled(): Promise<void>;
  /** The connection to use, or throws why calls are not admitted now (quarantined, draining, …). */
  admit(): UpstreamConnection;
  /** The pinned tool's argument validator (`null` if its schema could not be compiled), or undefined if not pinned. */
  pinnedTool(name: string): { readonly validate: JsonSchemaValidator<unknown> | null } | undefined;
  /** Largest encoded response forwarded, and what sets it. */
  responseLimit(): { readonly bytes: number; readonly reason: string };
  /** The connection broke outside a clean close (HTTP servers give no other sign). */
  upstreamBroken(connection: UpstreamConnection, reason: string): void;
}

const MAX_UPSTREAM_MESSAGE = 500;

/**
 * Serves one broker request end to end and always answers, signed and bound to `data`: the result, or
 * `{ error: { code, message } }`. The capability (its node signature first) is verified before anything
 * reaches the server. This is the one entry point for a call.
 */
export async function serveCall(context: CallContext, data: Uint8Array): Promise<Uint8Array> {
  try {
    const request = decodeBrokerRequest(data);
    const target = callTarget(context.server, request);
    await verifyCapability(request.capability, {
      server: context.server,
      trust: context.trust,
      method: target.method,
      tool: target.tool,
      args: target.args,
      clock: context.clock,
      nonces: context.nonces,
    });
    await context.settled();
    const connection = context.admit();
    if (target.method === CapabilityMethod.ToolsCall) checkArguments(context, target);
    const result = await callUpstream(context, connection, target);
    const encoded = sealBrokerResponse(context.identity, data, { result });
    const limit = context.responseLimit();
    if (encoded.byteLength > limit.bytes) {
      throw new BrokerError(
        BrokerErrorCode.ResponseTooLarge,
        `${context.server}.${target.tool} answered ${encoded.byteLength} bytes, more than the ${limit.bytes} the broker forwards (${limit.reason}); ask for less (a range, a page, a smaller file).`,
      );
    }
    return encoded;
  } catch (err) {
    return sealBrokerResponse(context.identity, data, refusal(err));
  }
}

function checkArguments(context: CallContext, target: CallTarget): void {
  const tool = context.pinnedTool(target.tool);
  if (tool === undefined) {
    throw new BrokerError(
      BrokerErrorCode.UnknownTool,
      `Server ${JSON.stringify(context.server)} has no approved tool ${JSON.stringify(target.tool)}; list the catalogue for the tools it offers.`,
    );
  }
  const verdict = tool.validate?.(target.args);
  if (verdict !== undefined && !verdict.valid) {
    throw new BrokerError(
      BrokerErrorCode.InvalidArguments,
      `The arguments of ${context.server}.${target.tool} do not match its input schema: ${verdict.errorMessage}. Fix the arguments and call again.`,
    );
  }
}

async function callUpstream(
  context: CallContext,
  connection: UpstreamConnection,
  target: CallTarget,
): Promise<Record<string, unknown>> {
  const options = { timeout: context.callTimeoutMs };
  const request = { method: target.method, params: { ...target.upstreamParams } };
  try {
    return await traceUpstreamCall(context.server, request, (traced) => {
      const params = traced as never;
      switch (target.method) {
        case CapabilityMethod.ToolsCall:
          return connection.client.callTool(params, undefined, options);
        case CapabilityMethod.ResourcesRead:
          return connection.client.readResource(params, options);
        case CapabilityMethod.PromptsGet:
          return connection.client.getPrompt(params, options);
        default:
          return listUpstream(connection, context.server, target.method as ListMethod, options.timeout);
      }
    });
  } catch (err) {
    throw upstreamFailure(context, connection, target, err);
  }
}

function upstreamFailure(
  context: CallContext,
  connection: UpstreamConnection,
  target: CallTarget,
  err: unknown,
): BrokerError {
  const what = `${context.server} (${target.method} ${target.tool})`;
  if (err instanceof McpError && err.code === ErrorCode.RequestTimeout) {
    return new BrokerError(
      BrokerErrorCode.UpstreamTimeout,
      `${what} did not answer within ${context.callTimeoutMs} ms; the call was cancelled. Retry later or ask for less.`,
    );
  }
  if (err instanceof McpError && err.code !== ErrorCode.ConnectionClosed) {
    return new BrokerError(
      BrokerErrorCode.UpstreamError,
      `${what} refused the call: ${upstreamText(err.message)}`,
    );
  }
  const tail = connection.stderrTail();
  const reason = tail === '' ? 'the connection to it broke' : `it said: ${upstreamText(tail)}`;
  context.upstreamBroken(connection, reason);
  return new BrokerError(
    BrokerErrorCode.UpstreamExited,
    `${what} went away during the call (${reason}); the broker is reconnecting. Retry the call with a new capability.`,
  );
}

/** Server text in our messages: visible characters only, bounded. */
function upstreamText(text: string): string {
  const visible = stripInvisible(text).trim();
  return visible.length > MAX_UPSTREAM_MESSAGE ? `${visible.slice(0, MAX_UPSTREAM_MESSAGE)}…` : visible;
}

function refusal(err: unknown): BrokerResponse {
  if (err instanceof BrokerError || err instanceof CapabilityError || err instanceof SignerError) {
    markActiveFailed(err.code, err.message);
    return { error: { code: err.code, message: err.message } };
  }
  markActiveFailed(BrokerErrorCode.Internal);
  return {
    error: {
      code: BrokerErrorCode.Internal,
      message:
        'The broker failed while serving the call; retry, and report it to the operators if it repeats.',
    },
  };
}
