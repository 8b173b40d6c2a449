/** Turning metric histories into uPlot's column layout. */

export interface MetricPoint {
  step: number;
  timestamp: number;
  value: number;
}

export type XAxis = "step" | "wall" | "relative";

export interface Series {
  label: string;
  xs: number[];
  ys: (number | null)[];
}

/** Sort by step (then time), pick x for the axis mode; wall/relative in seconds. */
export function toSeries(label: string, points: readonly MetricPoint[], axis: XAxis): Series {
  const sorted = [...points].sort((a, b) => a.step - b.step || a.timestamp - b.timestamp);
  const t0 = sorted.length ? Math.min(...sorted.map((p) => p.timestamp)) : 0;
  const xs = sorted.map((p) =>
    axis === "step" ? p.step : axis === "wall" ? p.timestamp / 1000 : (p.timestamp - t0) / 1000,
  );
  const ys = sorted.map((p) => (Number.isFinite(p.value) ? p.value : null));
  return { label, xs, ys };
}

/** Several series on one shared, sorted x column (uPlot's AlignedData); a series has null
 * where it has no point. Duplicate x values within a series keep the last point. */
export function alignSeries(series: readonly Series[]): [number[], ...(number | null)[][]] {
  if (series.length === 1) {
    const only = series[0] as Series;
    const sorted = isSorted(only.xs);
    if (sorted) return [only.xs, only.ys];
  }
  const all = new Float64Array(series.reduce((n, s) => n + s.xs.length, 0));
  let k = 0;
  for (const s of series) for (const x of s.xs) all[k++] = x;
  all.sort();
  const xs: number[] = [];
  for (let i = 0; i < all.length; i++) {
    const x = all[i] as number;
    if (i === 0 || x !== all[i - 1]) xs.push(x);
  }
  const index = new Map<number, number>();
  xs.forEach((x, i) => index.set(x, i));
  const columns = series.map((s) => {
    const col = new Array<number | null>(xs.length).fill(null);
    s.xs.forEach((x, i) => {
      col[index.get(x) as number] = s.ys[i] ?? null;
    });
    return col;
  });
  return [xs, ...columns];
}

function isSorted(xs: readonly number[]): boolean {
  for (let i = 1; i < xs.length; i++) if ((xs[i] as number) <= (xs[i - 1] as number)) return false;
  return true;
}

/** Log scales cannot show values <= 0; they become gaps rather than breaking the axis. */
export function forLogScale(ys: readonly (number | null)[]): (number | null)[] {
  return ys.map((v) => (v !== null && v > 0 ? v : null));
}
