// Order statistics for benchmark samples. Pure functions: tested in stats.test.mjs.

/** The median; NaN for no values. */
export function median(values) {
  return quantile(values, 0.5);
}

/**
 * The q-quantile (0 ≤ q ≤ 1) by linear interpolation between closest ranks (as numpy's
 * default), so that p99 of 100 samples is not simply the maximum.
 */
export function quantile(values, q) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * Math.min(1, Math.max(0, q));
  const low = Math.floor(position);
  const high = Math.ceil(position);
  const lowValue = sorted[low];
  return lowValue + (sorted[high] - lowValue) * (position - low);
}

/** Lowest and highest value: with a handful of rounds, the honest picture of the noise. */
export function spread(values) {
  if (values.length === 0) return [Number.NaN, Number.NaN];
  return [minimum(values), maximum(values)];
}

/** The largest value, by a loop: spreading 100,000 samples into Math.max overflows the stack. */
export function maximum(values) {
  let max = Number.NEGATIVE_INFINITY;
  for (const value of values) if (value > max) max = value;
  return values.length ? max : Number.NaN;
}

/** The smallest value (see maximum). */
export function minimum(values) {
  let min = Number.POSITIVE_INFINITY;
  for (const value of values) if (value < min) min = value;
  return values.length ? min : Number.NaN;
}

/**
 * Runs `rounds` rounds of two subjects, alternating which goes first (ABBA...), so that a
 * machine that slows down or warms up over the run penalises neither. Returns each subject's
 * results in round order.
 */
export async function alternate(rounds, first, second) {
  const a = [];
  const b = [];
  for (let round = 0; round < rounds; round++) {
    if (round % 2 === 0) {
      a.push(await first(round));
      b.push(await second(round));
    } else {
      b.push(await second(round));
      a.push(await first(round));
    }
  }
  return { a, b };
}

/** Latency summary in the samples' unit. */
export function latencySummary(samples) {
  return {
    count: samples.length,
    p50: quantile(samples, 0.5),
    p90: quantile(samples, 0.9),
    p99: quantile(samples, 0.99),
    max: maximum(samples),
  };
}
