/** Medians, interleaved rounds and the figure records that end up in bench/results.json. */

export function median(values) {
  if (values.length === 0) throw new Error('median of no samples');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * Runs every side once per round for `rounds` rounds, rotating which side goes first, so slow drift of a shared,
 * noisy machine (other processes, disk flushes, page cache) lands on all sides alike. `sides` maps a name to a
 * runner `(round, position) => sample`; returns `{ name: samples[] }`.
 */
export async function interleaveSides(rounds, sides, { onRound } = {}) {
  const names = Object.keys(sides);
  const samples = Object.fromEntries(names.map((name) => [name, []]));
  for (let round = 0; round < rounds; round += 1) {
    const order = names.map((_, i) => names[(i + round) % names.length]);
    for (const [position, name] of order.entries()) samples[name].push(await sides[name](round, position));
    onRound?.(round, samples);
  }
  return samples;
}

/** `interleaveSides` for the usual pair: returns `{ baseline: [], subject: [] }`. */
export function interleave(rounds, baseline, subject, options) {
  return interleaveSides(rounds, { baseline, subject }, options);
}

const round3 = (value) => Math.round(value * 1000) / 1000;

const COMPARISONS = {
  '>=': (value, bound) => value >= bound,
  '<=': (value, bound) => value <= bound,
  '<': (value, bound) => value < bound,
};

/** A target: `{ op: '>=' | '<=' | '<', value }`. */
export function meets(value, target) {
  const compare = COMPARISONS[target.op];
  if (!compare) throw new Error(`unknown target operator ${target.op}`);
  return compare(value, target.value);
}

/**
 * The ratio of two interleaved sample series: the median of the per-round ratios when the rounds pair up (both
 * sides of a round ran back to back, under the same machine load), else the ratio of the medians.
 */
export function pairedRatio(subject, baseline) {
  if (subject.length !== baseline.length) return median(subject) / median(baseline);
  return median(subject.map((value, round) => value / baseline[round]));
}

/**
 * One reported figure. `ratio` is `pairedRatio(subject, baseline)` (both in `unit`); `target` applies to the
 * ratio unless `absolute` is set, in which case it applies to the subject median (e.g. events/s, ms, MB).
 * Only absolute figures may go without a baseline.
 */
export function figure({ id, title, unit, baseline, subject, target, absolute = false, notes }) {
  if (!baseline && !absolute) throw new Error(`${id}: a ratio needs a baseline`);
  const subjectMedian = median(subject.samples);
  const baselineMedian = baseline ? median(baseline.samples) : undefined;
  const ratio = baseline ? pairedRatio(subject.samples, baseline.samples) : undefined;
  const measured = absolute ? subjectMedian : ratio;
  return {
    id,
    title,
    unit,
    baseline: baseline && {
      label: baseline.label,
      samples: baseline.samples.map(round3),
      median: round3(baselineMedian),
    },
    subject: { label: subject.label, samples: subject.samples.map(round3), median: round3(subjectMedian) },
    ratio: ratio === undefined ? undefined : round3(ratio),
    target: target ? { ...target, on: absolute ? 'subject median' : 'ratio' } : undefined,
    met: target ? meets(measured, target) : undefined,
    notes,
  };
}
