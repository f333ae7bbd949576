import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import type {
  JSONRPCMessage,
  JSONRPCRequest,
  MessageExtraInfo,
  RequestId,
} from '@modelcontextprotocol/sdk/types.js';
import {
  isRequest,
  type SessionTokenClaims,
  type SessionTokenVerifier,
  TokenError,
  TokenErrorCode,
  takeSessionToken,
} from '../../pki/tokens/index.js';
import type { DenialData } from './denial.js';
import { SessionRpcCode } from './errors.js';

export interface TokenGateOptions {
  sid: string;
  verifier: SessionTokenVerifier;
  /** The session's state now, for the denial's `data.state`. */
  state: () => string;
  /** Each verified token's claims (the node revokes their jti on suspend and kill). */
  onVerified: (claims: SessionTokenClaims) => void;
  /** Each refusal, for the node's log and audit. */
  onDenied: (err: TokenError, request: JSONRPCRequest) => void;
}

/** `DenialData.rule` of a request refused for its session token. */
export const TOKEN_RULE = 'session-token';

type Dispatch = (message: JSONRPCMessage, extra?: MessageExtraInfo) => void;

/**
 * The session's side of the channel, in front of the SDK `Server`: every request must carry a session
 * token (`params._meta["trustmesh/token"]`) issued for this session and bound to the key that holds
 * the channel (`extra.authInfo.clientId`), not revoked and in date. A request that fails gets a
 * JSON-RPC denial and never reaches the server; one that passes reaches it without the token.
 * Messages are let through in arrival order, so a cancellation never overtakes its request.
 */
export class TokenGate implements Transport {
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: Dispatch | undefined;
  #queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly inner: Transport,
    private readonly options: TokenGateOptions,
  ) {
    inner.onclose = () => this.onclose?.();
    inner.onerror = (error) => this.onerror?.(error);
    inner.onmessage = (message, extra) => {
      this.#queue = this.#queue.then(() => this.#admit(message, extra));
    };
  }

  get sessionId(): string | undefined {
    return this.inner.sessionId;
  }

  start(): Promise<void> {
    return this.inner.start();
  }

  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    return this.inner.send(message, options);
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  async #admit(message: JSONRPCMessage, extra?: MessageExtraInfo): Promise<void> {
    const { token, message: stripped } = takeSessionToken(message);
    if (!isRequest(message)) {
      this.onmessage?.(stripped, extra);
      return;
    }
    try {
      const claims = await this.#verify(token, extra);
      this.options.onVerified(claims);
      // The token's tools travel with the request as its scopes: the decision point bounds tools/call by them.
      if (extra?.authInfo) extra = { ...extra, authInfo: { ...extra.authInfo, scopes: [...claims.tools] } };
    } catch (err) {
      const refusal = asTokenError(err);
      // The request as it came, minus its token: the refusal's audit record must not carry it.
      this.options.onDenied(refusal, stripped as JSONRPCRequest);
      await this.inner.send(this.#denial(message.id, message.method, refusal)).catch((sendErr: Error) => {
        this.onerror?.(sendErr);
      });
      return;
    }
    this.onmessage?.(stripped, extra);
  }

  #verify(token: string | undefined, extra?: MessageExtraInfo): Promise<SessionTokenClaims> {
    if (token === undefined) {
      throw new TokenError(
        TokenErrorCode.Malformed,
        `Session token refused: the request carries no params._meta["trustmesh/token"]. Send the token from the session file with every request (trustmesh bridge does).`,
      );
    }
    const keyId = extra?.authInfo?.clientId ?? '';
    return this.options.verifier.verify(token, { sessionId: this.options.sid, keyId });
  }

  #denial(id: RequestId, method: string, err: TokenError): JSONRPCMessage {
    const data: DenialData = {
      reason: err.code,
      rule: TOKEN_RULE,
      policyVersion: null,
      state: this.options.state(),
    };
    return {
      jsonrpc: '2.0',
      id,
      error: {
        code: SessionRpcCode.Denied,
        message: `${method} was refused (${err.code}): ${err.message}`,
        data,
      },
    };
  }
}

/** Anything the verifier throws that is not a TokenError is a token we could not check: refuse it. */
function asTokenError(err: unknown): TokenError {
  if (err instanceof TokenError) return err;
  return new TokenError(
    TokenErrorCode.Malformed,
    'Session token refused: it could not be checked. Obtain a new token for this session and key.',
    { cause: err },
  );
}
