import type { RiskAssessment, SignalKind } from '../../../statecharts/index.js';
import type { Clock } from '../../clock.js';
import { Effect, type Verdict } from '../../policy/vocabulary.js';
import { SEQUENCE_START } from './baseline.js';
import { DecayedCounter } from './decay.js';
import { Feature, scoreFeatures, type TaintHit } from './features.js';
import type { BehaviourModel, MonitorSessionInput, PurposeModel } from './model.js';
import type { RuleEvent, RuleInstance } from './rules.js';
import { SessionTokens } from './session-tokens.js';
import type { MonitorSnapshot } from './snapshot.js';

const MINUTE = 60_000;
/** Denials and authentication failures count over about five minutes. */
const BURST_TAU_MS = 5 * MINUTE;
/** EWMA weights per call: drift reacts over ~5 calls, sequence over ~3. */
const DRIFT_ALPHA = 0.2;
const SEQUENCE_ALPHA = 0.3;
/** Calls whose sensitivity is remembered until their outcome arrives (concurrent calls of one session). */
const MAX_PENDING = 64;

/** A call as the session actor sees it before the decision. */
export interface MonitoredCall {
  readonly callId: string;
  /** `server.tool` */
  readonly tool: string;
  readonly effect: Effect;
  /** Canonical arguments (as the policy matched them). */
  readonly args: unknown;
}

/** What happened to a call, after it was decided (and run, if it was allowed). */
export interface CallOutcome {
  readonly callId: string;
  readonly verdict: Verdict;
  /** Argument bytes sent to the tool. */
  readonly bytesIn: number;
  /** Result bytes returned to the agent. */
  readonly bytesOut: number;
  /** The result's text content, for drift (known tokens) and taint (sensitive reads). */
  readonly resultText?: string;
}

/** A hard signal the actor forwards to the machine as `SIGNAL`. */
export interface MonitorSignal {
  readonly kind: SignalKind;
  readonly detail: string;
}

export interface MonitorAssessment extends RiskAssessment {
  readonly signals: readonly MonitorSignal[];
}

/** One session's behaviour features: constant memory, O(1) work per call beyond reading its arguments. */
export class SessionMonitor {
  readonly sessionId: string;
  readonly purpose: string;
  readonly #model: BehaviourModel;
  readonly #purpose: PurposeModel;
  readonly #clock: Clock;
  readonly #startedAt: number;
  readonly #tokens: SessionTokens;
  readonly #calls: DecayedCounter;
  readonly #denials: DecayedCounter;
  readonly #authFailures: DecayedCounter;
  readonly #rules: readonly RuleInstance[];
  /** When each rule last fired (NaN: never) and what it said. */
  readonly #ruleHits: Float64Array;
  readonly #ruleDetail: (string | undefined)[];
  readonly #sensitivePending: Set<string>;
  readonly #levels = new Float64Array(Feature.length);
  #previousTool: string;
  #drift: number;
  #sequence: number;
  #taint: TaintHit;
  /** Set when something between calls (denial, rule hit) changed the risk. */
  #moved = false;
  #last: MonitorAssessment;

  /** A new session, or (with `saved`) one carrying on from its snapshot; rules are matched by name. */
  constructor(
    model: BehaviourModel,
    purpose: PurposeModel,
    input: MonitorSessionInput,
    saved?: MonitorSnapshot,
  ) {
    this.sessionId = input.sessionId;
    this.purpose = input.purpose;
    this.#model = model;
    this.#purpose = purpose;
    this.#clock = input.clock;
    const now = input.clock();
    this.#startedAt = saved?.startedAt ?? now;
    this.#tokens = new SessionTokens(model, saved);
    this.#calls = new DecayedCounter(MINUTE, now, saved?.calls);
    this.#denials = new DecayedCounter(BURST_TAU_MS, now, saved?.denials);
    this.#authFailures = new DecayedCounter(BURST_TAU_MS, now, saved?.authFailures);
    const savedRules = purpose.rules.map((rule) => saved?.rules.find((r) => r.name === rule.name));
    this.#rules = purpose.rules.map((rule, i) => rule.start(now, savedRules[i]?.state ?? undefined));
    this.#ruleHits = Float64Array.from(savedRules, (r) => r?.hitAt ?? Number.NaN);
    this.#ruleDetail = savedRules.map((r) => r?.detail ?? undefined);
    this.#sensitivePending = new Set(saved?.sensitivePending);
    this.#previousTool = saved?.previousTool ?? SEQUENCE_START;
    this.#drift = saved?.drift ?? 0;
    this.#sequence = saved?.sequence ?? 0;
    this.#taint = saved?.taint
      ? { ...saved.taint, at: saved.taint.at ?? Number.NaN }
      : { at: Number.NaN, count: 0, tool: '' };
    if (saved) this.#levels.set(saved.levels.slice(0, Feature.length));
    this.#last = saved?.last ?? { score: 0, reasons: [], signals: [] };
    if (!saved) this.#tokens.learnContext(input.context);
  }

  /** The whole state as plain JSON, for the session snapshot (`BehaviourModel.restoreSession`). */
  save(): MonitorSnapshot {
    return {
      version: 1,
      purpose: this.purpose,
      baselineVersion: this.#model.baselineVersion ?? null,
      startedAt: this.#startedAt,
      ...this.#tokens.save(),
      calls: this.#calls.save(),
      denials: this.#denials.save(),
      authFailures: this.#authFailures.save(),
      rules: this.#purpose.rules.map((rule, i) => {
        const hitAt = this.#ruleHits[i] ?? Number.NaN;
        return {
          name: rule.name,
          state: this.#rules[i]?.save() ?? null,
          hitAt: Number.isNaN(hitAt) ? null : hitAt,
          detail: this.#ruleDetail[i] ?? null,
        };
      }),
      sensitivePending: [...this.#sensitivePending],
      previousTool: this.#previousTool,
      drift: this.#drift,
      sequence: this.#sequence,
      taint: { ...this.#taint, at: Number.isNaN(this.#taint.at) ? null : this.#taint.at },
      levels: [...this.#levels],
      last: this.#last,
    };
  }

  /** Scores a call before it is decided, and counts it; run it exactly once per call. */
  assess(call: MonitoredCall): MonitorAssessment {
    const now = this.#clock();
    const scan = this.#tokens.scanArguments(call.tool, call.effect === Effect.Egress, call.args);
    const signals = scan.signals;
    if (scan.sensitive && this.#sensitivePending.size < MAX_PENDING) this.#sensitivePending.add(call.callId);
    if (scan.tokens > 0) this.#drift += DRIFT_ALPHA * (scan.novel / scan.tokens - this.#drift);
    this.#sequence +=
      SEQUENCE_ALPHA * (this.#purpose.sequence.rarity(this.#previousTool, call.tool) - this.#sequence);
    this.#previousTool = call.tool;
    this.#calls.add(now);
    const facts = { tool: call.tool, effect: call.effect, sensitive: scan.sensitive, at: now };
    for (let i = 0; i < this.#rules.length; i++) this.#noteRule(i, this.#rules[i]?.onCall(facts), now);
    if (scan.tainted > 0) this.#taint = { at: now, count: scan.tainted, tool: call.tool };
    const { score, reasons } = this.#score(now, call.tool);
    this.#last = { score, reasons, signals };
    return this.#last;
  }

  /**
   * Learns from a decided call: denials, bytes, and what the result made known or tainted. Returns the
   * session's new risk when a denial or a rule hit moved it between calls, else `undefined`.
   */
  observe(outcome: CallOutcome): MonitorAssessment | undefined {
    const now = this.#clock();
    const sensitive = this.#sensitivePending.delete(outcome.callId);
    this.#moved = false;
    if (outcome.verdict === 'deny') {
      this.#moved = true;
      this.#denials.add(now);
      this.#emit({ type: 'denial', at: now }, now);
    }
    this.#emit({ type: 'bytes', bytesIn: outcome.bytesIn, bytesOut: outcome.bytesOut, at: now }, now);
    const text = outcome.resultText;
    if (text !== undefined && text.length > 0) this.#tokens.learnOutput(text, sensitive);
    return this.#moved ? this.#refresh(now) : undefined;
  }

  /** A failed authentication of this session's principal (bad proof of possession, failed re-auth). */
  noteAuthFailure(): MonitorAssessment {
    const now = this.#clock();
    this.#authFailures.add(now);
    this.#emit({ type: 'auth_failure', at: now }, now);
    return this.#refresh(now);
  }

  /** The session's risk now, between calls (denials, rule hits, time): the actor sends it as `RISK`. */
  #refresh(now: number): MonitorAssessment {
    this.#last = { ...this.#score(now, undefined), signals: [] };
    return this.#last;
  }

  /** The latest assessment and the feature levels behind it, for `trustmesh sessions inspect`. */
  inspect(): {
    readonly assessment: MonitorAssessment;
    readonly features: Readonly<Record<Feature, number>>;
  } {
    const features = Object.fromEntries(Feature.map((name, i) => [name, this.#levels[i] ?? 0]));
    return { assessment: this.#last, features: features as Record<Feature, number> };
  }

  #emit(event: RuleEvent, now: number): void {
    for (let i = 0; i < this.#rules.length; i++) this.#noteRule(i, this.#rules[i]?.onEvent(event), now);
  }

  #noteRule(index: number, detail: string | undefined, now: number): void {
    if (detail === undefined) return;
    this.#moved = true;
    this.#ruleHits[index] = now;
    this.#ruleDetail[index] = detail;
  }

  #score(now: number, tool: string | undefined): RiskAssessment {
    const { baseline, rules } = this.#purpose;
    return scoreFeatures({
      now,
      options: this.#model.options,
      levels: this.#levels,
      ratePerMin: this.#calls.valueAt(now),
      rateP95: baseline.ratePerMin.p95,
      sequence: this.#sequence,
      drift: this.#drift,
      taint: this.#taint,
      tool,
      durationRatio: (now - this.#startedAt) / baseline.durationMs.p95,
      denials: this.#denials.valueAt(now),
      authFailures: this.#authFailures.valueAt(now),
      rules,
      ruleHits: this.#ruleHits,
      ruleDetail: this.#ruleDetail,
    });
  }
}
