import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import type { NatsConnection } from '@nats-io/transport-node';
import { TrustmeshError } from '../../errors.js';
import type { MeshTrust } from '../../pki/signer/index.js';
import { natsTraceHeaders } from '../../telemetry/index.js';
import {
  type BrokerRequest,
  type BrokerResponse,
  brokerSubjects,
  decodeCatalogue,
  encodeBrokerRequest,
  openBrokerResponse,
} from '../broker/index.js';

/** A call the broker refused or could not run; `code` is the broker's stable code. */
export class BrokerRefusal extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** `BrokerRefusal.code` when no broker answered in time: the call may or may not have run. */
export const BROKER_UNREACHABLE = 'ERR_BROKER_UNREACHABLE';

// Calls are served only in this broker state; in any other its tools are not offered.
const READY = 'ready';

/** The session actor's side of the tool-broker contract (`<prefix>.tool.<server>.{call,list}`). */
export class BrokerClient {
  readonly #nc: NatsConnection;
  readonly #prefix: string;
  readonly #timeoutMs: number;
  readonly #trust: MeshTrust;

  constructor(nc: NatsConnection, prefix: string, timeoutMs: number, trust: MeshTrust) {
    this.#nc = nc;
    this.#prefix = prefix;
    this.#timeoutMs = timeoutMs;
    this.#trust = trust;
  }

  /** The server's pinned, sanitised tools (names qualified `server.tool`); none unless it is ready. */
  async list(server: string): Promise<Tool[]> {
    const catalogue = decodeCatalogue(await this.#request(server, brokerSubjects(this.#prefix, server).list));
    if (catalogue.state !== READY) return [];
    return catalogue.tools.filter((tool) => tool.name.startsWith(`${server}.`)) as Tool[];
  }

  /**
   * Sends one capability-bound call; resolves with the MCP result or throws `BrokerRefusal`, also when
   * the answer is not signed by the broker certificate of `server` for exactly this request.
   */
  async call(server: string, request: BrokerRequest): Promise<Record<string, unknown>> {
    const subject = brokerSubjects(this.#prefix, server).call;
    const encoded = encodeBrokerRequest(request);
    const data = await this.#request(server, subject, encoded);
    let answer: BrokerResponse;
    try {
      answer = await openBrokerResponse(data, encoded, this.#trust, server);
    } catch (err) {
      if (err instanceof TrustmeshError) throw new BrokerRefusal(err.code, err.message);
      throw err;
    }
    if ('error' in answer) throw new BrokerRefusal(answer.error.code, answer.error.message);
    return answer.result as Record<string, unknown>;
  }

  async #request(server: string, subject: string, body?: Uint8Array): Promise<Uint8Array> {
    try {
      // The active span's context rides in the headers; the broker's answer is what is authenticated.
      const headers = natsTraceHeaders();
      const options = headers ? { timeout: this.#timeoutMs, headers } : { timeout: this.#timeoutMs };
      return (await this.#nc.request(subject, body, options)).data;
    } catch (cause) {
      throw new BrokerRefusal(
        BROKER_UNREACHABLE,
        `no broker for server ${server} answered within ${this.#timeoutMs} ms (${(cause as Error).message}); ask the operator to start it`,
      );
    }
  }
}
