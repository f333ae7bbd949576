import { asPath, visitStrings } from './args.js';
import type { BehaviourModel } from './model.js';
import { findSecrets } from './secrets.js';
import type { MonitorSignal } from './session-monitor.js';
import { TokenFilter } from './token-filter.js';
import { scanTokens } from './tokens.js';

/** What one call's arguments showed; the object is reused from call to call (read it before the next). */
export interface ArgumentScan {
  sensitive: boolean;
  /** Non-prose argument tokens, and how many of them are neither in the task nor in any output. */
  tokens: number;
  novel: number;
  /** Distinctive tokens of sensitive data in an egress call's arguments. */
  tainted: number;
  signals: MonitorSignal[];
}

/**
 * One session's token memory: what it knows (task context, every output) and what is tainted (sensitive
 * reads, secret-looking values), in two fixed-size filters. The scanners are made once, so scanning a call
 * allocates no closures; their per-call state lives in the reused scratch object.
 */
export class SessionTokens {
  readonly #model: BehaviourModel;
  readonly #known: TokenFilter;
  readonly #tainted: TokenFilter;
  readonly #scan: ArgumentScan & {
    tool: string;
    egress: boolean;
    freeText: boolean;
    distinctive: number;
  } = {
    tool: '',
    egress: false,
    freeText: false,
    distinctive: 0,
    sensitive: false,
    tokens: 0,
    novel: 0,
    tainted: 0,
    signals: [],
  };

  constructor(model: BehaviourModel, saved?: ReturnType<SessionTokens['save']>) {
    this.#model = model;
    this.#known = new TokenFilter(model.options.filterBits, saved?.known);
    this.#tainted = new TokenFilter(model.options.filterBits, saved?.tainted);
  }

  /** Task text the session was given: its tokens never count as drift. */
  learnContext(context: string): void {
    scanTokens(context, this.#model.options.maxScanChars, this.#knownToken);
  }

  /** Scans a call's arguments: sensitive paths, canaries, drift and taint counts. */
  scanArguments(tool: string, egress: boolean, args: unknown): ArgumentScan {
    const scan = this.#scan;
    scan.tool = tool;
    scan.egress = egress;
    scan.sensitive = false;
    scan.tokens = 0;
    scan.novel = 0;
    scan.tainted = 0;
    scan.signals = [];
    visitStrings(args, this.#model.freeTextKeys, this.#visitArgument);
    return scan;
  }

  /** Learns an output: its tokens become known; those of a sensitive read, or of secrets in it, tainted. */
  learnOutput(text: string, sensitive: boolean): void {
    const limit = this.#model.options.maxScanChars;
    this.#scan.sensitive = sensitive;
    this.#scan.distinctive = 0;
    scanTokens(text, limit, this.#outputToken);
    // Only distinctive tokens ever count as taint: an output without one has no secret worth the regex.
    if (!sensitive && this.#scan.distinctive > 0) findSecrets(text, limit, this.#taintSecret);
  }

  save(): {
    readonly known: ReturnType<TokenFilter['save']>;
    readonly tainted: ReturnType<TokenFilter['save']>;
  } {
    return { known: this.#known.save(), tainted: this.#tainted.save() };
  }

  readonly #visitArgument = (value: string, freeText: boolean): void => {
    const scan = this.#scan;
    const path = asPath(value);
    if (path !== undefined) {
      if (this.#model.isSensitive(path)) scan.sensitive = true;
      if (this.#model.isCanaryPath(path))
        scan.signals.push({ kind: 'canary', detail: `${scan.tool} touched canary ${path}` });
    }
    for (const canary of this.#model.config.canary.tokens) {
      if (value.includes(canary))
        scan.signals.push({ kind: 'canary', detail: `${scan.tool} carried a canary token` });
    }
    scan.freeText = freeText;
    scanTokens(value, this.#model.options.maxScanChars, this.#argumentToken);
  };

  readonly #argumentToken = (hash: number, distinctive: boolean): void => {
    const scan = this.#scan;
    if (scan.egress && distinctive && this.#tainted.has(hash)) scan.tainted++;
    if (scan.freeText) return;
    scan.tokens++;
    if (!this.#known.has(hash)) scan.novel++;
  };

  readonly #knownToken = (hash: number): void => this.#known.add(hash);

  readonly #outputToken = (hash: number, distinctive: boolean): void => {
    this.#known.add(hash);
    if (!distinctive) return;
    this.#scan.distinctive++;
    if (this.#scan.sensitive) this.#tainted.add(hash);
  };

  readonly #taintToken = (hash: number): void => this.#tainted.add(hash);

  readonly #taintSecret = (secret: string): void => {
    scanTokens(secret, this.#model.options.maxScanChars, this.#taintToken);
  };
}
