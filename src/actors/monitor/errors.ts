import { TrustmeshError } from '../../errors.js';

/** Detection rules or monitor options that do not validate; the message names the field at fault. */
export class MonitorConfigError extends TrustmeshError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_MONITOR_CONFIG', message, options);
  }
}

/** A baselines file, KV entry or audit history that cannot be read as baselines. */
export class BaselineError extends TrustmeshError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_BASELINE', message, options);
  }
}

/** A saved session monitor that cannot be restored (corrupt or from an incompatible version). */
export class MonitorSnapshotError extends TrustmeshError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_MONITOR_SNAPSHOT', message, options);
  }
}
