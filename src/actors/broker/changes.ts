import { isServerName } from '../capability/index.js';
import { BrokerError, BrokerErrorCode } from './errors.js';

/**
 * What a broker announces on `<prefix>.tool.<server>.changed` when its state or its pinned tool set
 * changes. A hint, not the catalogue: receivers re-list, because another replica may still serve.
 */
export interface BrokerChange {
  readonly server: string;
  /** The announcing replica's broker state. */
  readonly state: string;
  /** Hash of the approved set, or null before anything was approved. */
  readonly pinnedSetHash: string | null;
}

/** Every broker's change events: `<prefix>.tool.*.changed` (outside any session's namespace). */
export function brokerChangesWildcard(prefix: string): string {
  return `${prefix}.tool.*.changed`;
}

export function encodeBrokerChange(change: BrokerChange): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(change));
}

/** Decodes a change event and checks it came on its own server's subject. */
export function decodeBrokerChange(prefix: string, subject: string, bytes: Uint8Array): BrokerChange {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch (cause) {
    throw badChange(subject, 'it is not JSON', cause);
  }
  const change = value as Partial<BrokerChange> | null;
  if (
    change === null ||
    typeof change !== 'object' ||
    !isServerName(change.server) ||
    typeof change.state !== 'string' ||
    !(change.pinnedSetHash === null || typeof change.pinnedSetHash === 'string')
  ) {
    throw badChange(subject, 'it is not { server, state, pinnedSetHash }');
  }
  if (subject !== `${prefix}.tool.${change.server}.changed`) {
    throw badChange(subject, `it names server ${change.server}, whose events come on another subject`);
  }
  return { server: change.server, state: change.state, pinnedSetHash: change.pinnedSetHash };
}

function badChange(subject: string, problem: string, cause?: unknown): BrokerError {
  return new BrokerError(
    BrokerErrorCode.BadResponse,
    `The broker change event on ${subject} was ignored: ${problem}. Check the broker's version.`,
    { cause },
  );
}
