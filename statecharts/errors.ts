import { TrustmeshError } from '../src/errors.js';

/** A statechart was given input it cannot run with (thresholds out of order, non-positive timeouts, …). */
export class StatechartInputError extends TrustmeshError {
  constructor(message: string) {
    super('ERR_STATECHART_INPUT', message);
  }
}
