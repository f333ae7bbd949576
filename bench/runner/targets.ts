/** Which side of the target a figure must stay on. */
export const Bound = { AtMost: 'atMost', AtLeast: 'atLeast' } as const;
export type Bound = (typeof Bound)[keyof typeof Bound];

/** A target is absolute (`≤ 10`) or a factor of another figure measured in the same run (`≤ 1.3 × x`). */
export interface Target {
  bound: Bound;
  value: number;
  /** Figure the value multiplies; absent for an absolute target. */
  of?: string;
}

export interface FigureSpec {
  target?: Target;
  /** Baseline shown beside the figure when it has no relative target (for context, no verdict). */
  compareWith?: string;
}

export type Catalogue = Readonly<Record<string, FigureSpec>>;

export const Verdict = { Pass: 'PASS', Miss: 'MISS', Unmeasured: 'N/A', None: '' } as const;
export type Verdict = (typeof Verdict)[keyof typeof Verdict];

export function atMost(value: number, of?: string): Target {
  return { bound: Bound.AtMost, value, ...(of === undefined ? {} : { of }) };
}

export function atLeast(value: number, of?: string): Target {
  return { bound: Bound.AtLeast, value, ...(of === undefined ? {} : { of }) };
}

/** The figure a spec is compared against, if any: its target's reference first. */
export function referenceOf(spec: FigureSpec | undefined): string | undefined {
  return spec?.target?.of ?? spec?.compareWith;
}

/** The limit a figure must meet in this run, or undefined when its reference was not measured. */
export function limitOf(target: Target, figures: Readonly<Record<string, number>>): number | undefined {
  if (target.of === undefined) return target.value;
  const reference = figures[target.of];
  return reference === undefined ? undefined : target.value * reference;
}

/** PASS/MISS for a measured figure against its target; N/A when the figure or its reference is missing. */
export function verdictOf(
  figure: string,
  catalogue: Catalogue,
  figures: Readonly<Record<string, number>>,
): Verdict {
  const target = catalogue[figure]?.target;
  if (!target) return Verdict.None;
  const value = figures[figure];
  const limit = limitOf(target, figures);
  if (value === undefined || limit === undefined) return Verdict.Unmeasured;
  const met = target.bound === Bound.AtMost ? value <= limit : value >= limit;
  return met ? Verdict.Pass : Verdict.Miss;
}

/**
 * Problems in a catalogue: a reference to a figure it does not name (a typo would otherwise show
 * as N/A forever), a figure compared with itself, or a target value that is not a positive number.
 */
export function catalogueProblems(catalogue: Catalogue): string[] {
  const problems: string[] = [];
  for (const [figure, spec] of Object.entries(catalogue)) {
    for (const reference of [spec.target?.of, spec.compareWith]) {
      if (reference === undefined) continue;
      if (reference === figure) problems.push(`${figure} is compared with itself.`);
      else if (!(reference in catalogue))
        problems.push(`${figure} refers to ${reference}, which is not catalogued.`);
    }
    const value = spec.target?.value;
    if (value !== undefined && !(Number.isFinite(value) && value > 0)) {
      problems.push(`${figure} has target value ${value}; use a positive finite number.`);
    }
  }
  return problems;
}
