/**
 * Lean counters and histograms for the per-request metrics: a Map lookup and a few
 * additions per observation, exported through a prom-client registry at scrape time.
 * prom-client's own classes validate, hash and allocate on every observation, which showed
 * as several percent of a request's CPU in profiles.
 */
import type { Registry } from "prom-client";

/** One exported sample, as a prom-client registry reads it. */
export interface SeriesValue {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

/** What `get()` returns: the shape a prom-client registry serializes. */
export interface SeriesSnapshot {
  name: string;
  help: string;
  type: "counter" | "histogram";
  aggregator: "sum";
  values: SeriesValue[];
}

type Labels<L extends string> = Record<L, string>;

function seriesKey<L extends string>(labels: Labels<L>, names: readonly L[]): string {
  let key = "";
  for (const name of names) key += `${labels[name]}\u0000`;
  return key;
}

abstract class Series<L extends string, S> {
  protected readonly series = new Map<string, S>();
  /** Counts resets: a caller holding a series from before one must look it up again. */
  generation = 0;

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly L[],
    registry: Registry,
  ) {
    // A prom-client registry takes any object with a name and get(): it asks at scrape time.
    registry.registerMetric(this as never);
  }

  protected entry(labels: Labels<L>, create: (labels: Labels<L>) => S): S {
    const key = seriesKey(labels, this.labelNames);
    let s = this.series.get(key);
    if (!s) {
      // A copy: callers may reuse or change their label objects.
      const own = {} as Labels<L>;
      for (const name of this.labelNames) own[name] = labels[name];
      s = create(own);
      this.series.set(key, s);
    }
    return s;
  }

  reset(): void {
    this.series.clear();
    this.generation++;
  }
}

export class LeanCounter<L extends string> extends Series<L, { labels: Labels<L>; value: number }> {
  inc(labels: Labels<L>, value = 1): void {
    this.seriesOf(labels).value += value;
  }

  /** The series of these labels, to be added to directly (valid until the next {@link reset}). */
  seriesOf(labels: Labels<L>): { value: number } {
    return this.entry(labels, (own) => ({ labels: own, value: 0 }));
  }

  async get(): Promise<SeriesSnapshot> {
    return {
      name: this.name,
      help: this.help,
      type: "counter",
      aggregator: "sum",
      values: [...this.series.values()].map((s) => ({ labels: { ...s.labels }, value: s.value })),
    };
  }
}

export interface HistogramSeries<L extends string> {
  labels: Labels<L>;
  /** Observations per bucket (not cumulative); the last slot is +Inf. */
  counts: number[];
  sum: number;
  count: number;
}

export class LeanHistogram<L extends string> extends Series<L, HistogramSeries<L>> {
  constructor(
    name: string,
    help: string,
    labelNames: readonly L[],
    registry: Registry,
    readonly buckets: readonly number[],
  ) {
    super(name, help, labelNames, registry);
  }

  observe(labels: Labels<L>, value: number): void {
    this.record(this.seriesOf(labels), value);
  }

  /** The series of these labels, for {@link record} (valid until the next {@link reset}). */
  seriesOf(labels: Labels<L>): HistogramSeries<L> {
    return this.entry(labels, (own) => ({
      labels: own,
      counts: new Array(this.buckets.length + 1).fill(0),
      sum: 0,
      count: 0,
    }));
  }

  /** Adds an observation to a series this histogram gave. */
  record(s: HistogramSeries<L>, value: number): void {
    let i = 0;
    while (i < this.buckets.length && value > (this.buckets[i] as number)) i++;
    s.counts[i] = (s.counts[i] as number) + 1;
    s.sum += value;
    s.count++;
  }

  async get(): Promise<SeriesSnapshot> {
    const values: SeriesValue[] = [];
    for (const s of this.series.values()) {
      let cumulative = 0;
      this.buckets.forEach((bound, i) => {
        cumulative += s.counts[i] as number;
        values.push({ labels: { ...s.labels, le: bound }, value: cumulative, metricName: `${this.name}_bucket` });
      });
      values.push({ labels: { ...s.labels, le: "+Inf" }, value: s.count, metricName: `${this.name}_bucket` });
      values.push({ labels: { ...s.labels }, value: s.sum, metricName: `${this.name}_sum` });
      values.push({ labels: { ...s.labels }, value: s.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: "histogram", aggregator: "sum", values };
  }
}
