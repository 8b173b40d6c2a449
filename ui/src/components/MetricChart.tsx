import { useEffect, useRef, useState, type ReactNode } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import * as api from "../api";
import { useTheme } from "../hooks";
import { alignSeries, forLogScale, toSeries, type XAxis } from "../lib/chartData";
import { formatNumber } from "../lib/format";
import { colorFor } from "../lib/palette";
import { smooth } from "../lib/smoothing";

export interface ChartSettings {
  xAxis: XAxis;
  smoothing: number;
  log: boolean;
}

interface Props {
  metricKey: string;
  runs: { id: string; name: string }[];
  settings: ChartSettings;
  height?: number;
  /** Points per run asked of the server (it downsamples evenly over steps). */
  resolution?: number;
  /** Controls shown at the end of the caption (e.g. a grid's move and size buttons). */
  tools?: ReactNode;
}

type Points = Map<string, api.MetricValue[]>;

/** One metric for many runs. The server downsamples; zooming on the step axis asks it
 * again for just the visible steps, so detail appears as you zoom into a long series. */
export function MetricChart({ metricKey, runs, settings, height = 240, resolution = 1000, tools }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const [range, setRange] = useState<[number, number] | null>(null);
  const theme = useTheme();
  const [points, setPoints] = useState<Points | null>(null);
  const [error, setError] = useState<Error>();
  const runKey = runs.map((r) => r.id).join(",");
  const names = runs.map((r) => r.name).join("\u0001");

  useEffect(() => setRange(null), [runKey, metricKey]);

  useEffect(() => {
    let live = true;
    const ids = runKey ? runKey.split(",") : [];
    if (!ids.length) {
      setPoints(new Map());
      return;
    }
    api
      .metricHistory(ids, metricKey, resolution, range ?? undefined)
      .then((ms) => {
        if (!live) return;
        const byRun: Points = new Map();
        for (const m of ms) {
          const list = byRun.get(m.run_id);
          if (list) list.push(m);
          else byRun.set(m.run_id, [m]);
        }
        setPoints(byRun);
        setError(undefined);
      })
      .catch((e: unknown) => live && setError(e instanceof Error ? e : new Error(String(e))));
    return () => {
      live = false;
    };
  }, [runKey, metricKey, resolution, range]);

  useEffect(() => {
    const el = box.current;
    if (!el || !points) return;
    const shown = runs.filter((r) => points.has(r.id));
    const series = shown.map((r) => {
      const s = toSeries(r.name, points.get(r.id) ?? [], settings.xAxis);
      let ys = smooth(s.ys, settings.smoothing);
      if (settings.log) ys = forLogScale(ys);
      return { ...s, ys };
    });
    const data = series.length ? alignSeries(series) : [[]];
    const time = settings.xAxis === "wall";
    // Canvas strokes cannot use CSS variables: resolve the theme's colours now.
    const css = getComputedStyle(el);
    const muted = css.getPropertyValue("--fg-muted").trim() || "#5f6b7a";
    const grid = css.getPropertyValue("--grid").trim() || "rgba(127,127,127,0.18)";
    const opts: uPlot.Options = {
      width: el.clientWidth || 480,
      height,
      scales: {
        x: { time },
        y: { distr: settings.log ? 3 : 1 },
      },
      axes: [
        { stroke: muted, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } },
        { stroke: muted, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, size: 60, values: (_u, vals) => vals.map((v) => formatNumber(v)) },
      ],
      legend: { live: true },
      cursor: { drag: { x: true, y: false, setScale: true } },
      series: [
        { label: settings.xAxis === "step" ? "step" : settings.xAxis === "wall" ? "time" : "seconds" },
        ...series.map((s, i) => ({
          label: s.label,
          stroke: colorFor(i),
          width: 1.5,
          spanGaps: true,
          points: { show: false },
          value: (_u: uPlot, v: number | null) => (v === null ? "–" : formatNumber(v)),
        })),
      ],
      hooks: {
        setSelect: [
          (u) => {
            // Step axis: fetch finer points for the selected steps.
            if (settings.xAxis !== "step" || u.select.width < 5) return;
            const lo = u.posToVal(u.select.left, "x");
            const hi = u.posToVal(u.select.left + u.select.width, "x");
            if (hi - lo >= 1) setRange([Math.max(0, Math.floor(lo)), Math.ceil(hi)]);
          },
        ],
      },
    };
    plot.current?.destroy();
    plot.current = new uPlot(opts, data as uPlot.AlignedData, el);
    const chart = plot.current;
    const ro = new ResizeObserver(() => chart.setSize({ width: el.clientWidth || 480, height }));
    ro.observe(el);
    return () => {
      ro.disconnect();
    };
    // Rebuild on what the runs show (ids, names), not on a new array with the same content.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [points, runKey, names, settings, height, theme]);

  useEffect(
    () => () => {
      plot.current?.destroy();
      plot.current = null;
    },
    [],
  );

  const pointCount = points ? [...points.values()].reduce((n, l) => n + l.length, 0) : 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (const list of points?.values() ?? []) {
    for (const p of list) {
      lo = Math.min(lo, p.step);
      hi = Math.max(hi, p.step);
    }
  }
  return (
    <figure className="chart" data-metric={metricKey} data-points={pointCount} data-steps={pointCount ? `${lo}-${hi}` : ""}>
      <figcaption>
        <strong>{metricKey}</strong>
        {range && (
          <button className="ghost small" onClick={() => setRange(null)} title="Show all steps">
            Reset zoom (steps {range[0]}–{range[1]})
          </button>
        )}
        {tools && <span className="chart-tools">{tools}</span>}
      </figcaption>
      {error && <div className="error-text">{error.message}</div>}
      {points && pointCount === 0 && !error && <div className="empty small">No data for this metric in these runs.</div>}
      <div ref={box} className="chart-canvas" />
    </figure>
  );
}
