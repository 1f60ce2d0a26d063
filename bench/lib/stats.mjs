/** Medians, interleaved rounds and the figure records that end up in bench/results.json. */

export function median(values) {
  if (values.length === 0) throw new Error('median of no samples');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * Runs `baseline` and `subject` alternately for `rounds` rounds, swapping which goes first every round, so slow
 * drift of a shared, noisy machine (other processes, thermal, page cache) lands on both sides alike.
 * Each runner returns one sample (a number). Returns the samples of both sides.
 */
export async function interleave(rounds, baseline, subject, { onRound } = {}) {
  const samples = { baseline: [], subject: [] };
  for (let round = 0; round < rounds; round += 1) {
    const order = round % 2 === 0 ? ['baseline', 'subject'] : ['subject', 'baseline'];
    for (const side of order) samples[side].push(await (side === 'baseline' ? baseline : subject)(round));
    onRound?.(round, samples);
  }
  return samples;
}

const round3 = (value) => Math.round(value * 1000) / 1000;

/** A target: `{ op: '>=' | '<=', value }`. */
export function meets(value, target) {
  return target.op === '>=' ? value >= target.value : value <= target.value;
}

/**
 * One reported figure. `ratio` is subject median / baseline median (both in `unit`); `target` applies to the
 * ratio unless `absolute` is set, in which case it applies to the subject median (e.g. events/s, ms).
 */
export function figure({ id, title, unit, baseline, subject, target, absolute = false, notes }) {
  const baselineMedian = median(baseline.samples);
  const subjectMedian = median(subject.samples);
  const ratio = subjectMedian / baselineMedian;
  const measured = absolute ? subjectMedian : ratio;
  return {
    id,
    title,
    unit,
    baseline: {
      label: baseline.label,
      samples: baseline.samples.map(round3),
      median: round3(baselineMedian),
    },
    subject: { label: subject.label, samples: subject.samples.map(round3), median: round3(subjectMedian) },
    ratio: round3(ratio),
    target: target ? { ...target, on: absolute ? 'subject median' : 'ratio' } : undefined,
    met: target ? meets(measured, target) : undefined,
    notes,
  };
}
