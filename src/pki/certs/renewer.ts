import { type Clock, systemClock } from '../../clock.js';
import { PkiError, PkiErrorCode } from '../ca/errors.js';
import type { IssuedCertificate } from './issue.js';

/** Schedules one callback; injectable so tests drive time by hand. */
export interface RenewalTimer {
  set(callback: () => void, delayMs: number): unknown;
  clear(handle: unknown): void;
}

export interface CertificateRenewerOptions {
  /** Obtains the next certificate and key (issue locally, or ask the mesh CA). */
  issue: () => Promise<IssuedCertificate>;
  /** Installs the new certificate (write files, reload servers, reconnect with new TLS options). */
  onRenewed: (cert: IssuedCertificate) => void | Promise<void>;
  /** Told about a failed attempt; the renewer retries while the current certificate is still valid. */
  onError?: (err: unknown) => void;
  /** Renewal lands at half-life ± this fraction of the lifetime, so a fleet does not renew at once. @default 0.1 */
  jitter?: number;
  /**
   * How far before its issue time a certificate's notBefore lies; half-life counts from the issue
   * time, or a short lifetime would be due again at once. Our leaves use BACKDATE_MS. @default 0
   */
  backdateMs?: number;
  /** Delay before retrying a failed renewal. @default 30_000 */
  retryMs?: number;
  /** @default systemClock */
  clock?: Clock;
  /** Uniform in [0, 1). @default Math.random */
  random?: () => number;
  /** @default setTimeout/clearTimeout (unref'd) */
  timer?: RenewalTimer;
}

export const DEFAULT_RENEWAL_JITTER = 0.1;
export const DEFAULT_RENEWAL_RETRY_MS = 30_000;
// setTimeout cannot wait longer than 2^31-1 ms; longer waits wake early and re-check the clock.
const MAX_TIMER_MS = 2 ** 31 - 1;

const defaultTimer: RenewalTimer = {
  set: (callback, delayMs) => setTimeout(callback, delayMs).unref(),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

type Validity = Pick<IssuedCertificate, 'notBefore' | 'notAfter'>;

/** Keeps a leaf certificate fresh: renews it at half-life with jitter, and retries on failure. */
export class CertificateRenewer {
  readonly #options: Required<Omit<CertificateRenewerOptions, 'onError'>> &
    Pick<CertificateRenewerOptions, 'onError'>;
  #current: Validity;
  #renewAt: number;
  #handle: unknown;
  #running = false;

  constructor(current: Validity, options: CertificateRenewerOptions) {
    const jitter = options.jitter ?? DEFAULT_RENEWAL_JITTER;
    if (!(jitter >= 0 && jitter < 0.5))
      throw new PkiError(PkiErrorCode.Options, `renewal jitter ${jitter} must be at least 0 and below 0.5.`);
    this.#options = {
      ...options,
      jitter,
      backdateMs: options.backdateMs ?? 0,
      retryMs: options.retryMs ?? DEFAULT_RENEWAL_RETRY_MS,
      clock: options.clock ?? systemClock,
      random: options.random ?? Math.random,
      timer: options.timer ?? defaultTimer,
    };
    this.#current = current;
    this.#renewAt = this.#plan(current);
  }

  /** When the next renewal is due, ms since the epoch. */
  get renewAt(): number {
    return this.#renewAt;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#schedule(this.#renewAt - this.#options.clock());
  }

  stop(): void {
    this.#running = false;
    if (this.#handle !== undefined) this.#options.timer.clear(this.#handle);
    this.#handle = undefined;
  }

  /** Renews at once (also what the timer calls); resolves to the installed certificate. */
  async renewNow(): Promise<IssuedCertificate> {
    const next = await this.#options.issue();
    await this.#options.onRenewed(next);
    this.#current = next;
    this.#renewAt = this.#plan(next);
    return next;
  }

  #plan({ notBefore, notAfter }: Validity): number {
    const start = Date.parse(notBefore) + this.#options.backdateMs;
    const lifetime = Date.parse(notAfter) - start;
    const offset = this.#options.jitter * (this.#options.random() * 2 - 1);
    return Math.round(start + lifetime * (0.5 + offset));
  }

  #schedule(delayMs: number): void {
    if (!this.#running) return;
    const delay = Math.min(Math.max(0, delayMs), MAX_TIMER_MS);
    this.#handle = this.#options.timer.set(() => void this.#tick(), delay);
  }

  async #tick(): Promise<void> {
    this.#handle = undefined;
    const now = this.#options.clock();
    if (now < this.#renewAt) return this.#schedule(this.#renewAt - now);
    try {
      await this.renewNow();
      this.#schedule(this.#renewAt - this.#options.clock());
    } catch (err) {
      this.#options.onError?.(err);
      const left = Date.parse(this.#current.notAfter) - this.#options.clock();
      if (left > 0) this.#schedule(Math.min(this.#options.retryMs, left / 2));
    }
  }
}
