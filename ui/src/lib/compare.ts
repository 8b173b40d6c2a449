/** Side-by-side comparison rows: one per key, a value per run, flagged when runs differ. */
export interface CompareRow {
  key: string;
  values: (string | undefined)[];
  differs: boolean;
}

export function compareRows(maps: readonly Record<string, string | number>[], format: (v: string | number) => string = String): CompareRow[] {
  const keys = new Set<string>();
  for (const m of maps) for (const k in m) keys.add(k);
  return [...keys]
    .sort((a, b) => a.localeCompare(b))
    .map((key) => {
      const values = maps.map((m) => (m[key] === undefined ? undefined : format(m[key] as string | number)));
      const differs = values.some((v) => v !== values[0]);
      return { key, values, differs };
    });
}

/** Numeric pairs for a scatter of `xKey` against `yKey`; runs missing either are skipped. */
export function scatterPoints(
  rows: readonly { id: string; name: string; params: Record<string, string>; metrics: Record<string, number> }[],
  x: string,
  y: string,
): { id: string; name: string; x: number; y: number }[] {
  const val = (r: (typeof rows)[number], id: string): number => {
    const dot = id.indexOf(".");
    const kind = id.slice(0, dot);
    const key = id.slice(dot + 1);
    const raw = kind === "metrics" ? r.metrics[key] : kind === "params" ? r.params[key] : undefined;
    return raw === undefined ? Number.NaN : Number(raw);
  };
  return rows
    .map((r) => ({ id: r.id, name: r.name, x: val(r, x), y: val(r, y) }))
    .filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
}

export interface Axis {
  key: string;
  min: number;
  max: number;
}

/** Axes for a parallel-coordinates plot over numeric `keys` (params or metrics), and each
 * run's position on every axis in [0, 1] (null where the run has no numeric value). */
export function parallelAxes(
  rows: readonly { id: string; name: string; params: Record<string, string>; metrics: Record<string, number> }[],
  keys: readonly string[],
): { axes: Axis[]; lines: { id: string; name: string; ys: (number | null)[] }[] } {
  const value = (r: (typeof rows)[number], key: string): number => {
    const dot = key.indexOf(".");
    const kind = key.slice(0, dot);
    const name = key.slice(dot + 1);
    const raw = kind === "metrics" ? r.metrics[name] : kind === "params" ? r.params[name] : undefined;
    return raw === undefined || raw === "" ? Number.NaN : Number(raw);
  };
  const axes: Axis[] = [];
  for (const key of keys) {
    const vs = rows.map((r) => value(r, key)).filter(Number.isFinite);
    if (vs.length) axes.push({ key, min: Math.min(...vs), max: Math.max(...vs) });
  }
  const lines = rows.map((r) => ({
    id: r.id,
    name: r.name,
    ys: axes.map((a) => {
      const v = value(r, a.key);
      if (!Number.isFinite(v)) return null;
      return a.max === a.min ? 0.5 : (v - a.min) / (a.max - a.min);
    }),
  }));
  return { axes, lines };
}
