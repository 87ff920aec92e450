export type { HistogramSeries, SeriesSnapshot, SeriesValue } from "./series.js";
export { LeanCounter, LeanHistogram } from "./series.js";
