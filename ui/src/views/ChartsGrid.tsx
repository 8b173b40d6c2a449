import { useState } from "react";
import { useLocalStorage } from "../hooks";
import type { XAxis } from "../lib/chartData";
import { MetricChart, type ChartSettings } from "../components/MetricChart";
import { Empty } from "../components/Status";

interface Layout {
  keys: string[] | null;
  settings: ChartSettings;
  runCount: number;
}

const DEFAULT: Layout = { keys: null, settings: { xAxis: "step", smoothing: 0, log: false }, runCount: 10 };

export function ChartSettingsBar({ settings, onChange }: { settings: ChartSettings; onChange: (s: ChartSettings) => void }) {
  return (
    <>
      <label>
        X axis{" "}
        <select aria-label="X axis" value={settings.xAxis} onChange={(e) => onChange({ ...settings, xAxis: e.target.value as XAxis })}>
          <option value="step">Step</option>
          <option value="wall">Wall time</option>
          <option value="relative">Relative time</option>
        </select>
      </label>
      <label>
        Smoothing{" "}
        <input
          type="range"
          aria-label="Smoothing"
          min={0}
          max={0.99}
          step={0.01}
          value={settings.smoothing}
          onChange={(e) => onChange({ ...settings, smoothing: Number(e.target.value) })}
        />{" "}
        {settings.smoothing.toFixed(2)}
      </label>
      <label>
        <input type="checkbox" aria-label="Log scale" checked={settings.log} onChange={(e) => onChange({ ...settings, log: e.target.checked })} /> Log scale
      </label>
    </>
  );
}

/** A grid of metric charts for an experiment's runs; the layout is remembered. */
export function ChartsGrid({ storageKey, runs, metricKeys }: { storageKey: string; runs: { id: string; name: string }[]; metricKeys: string[] }) {
  const [layout, setLayout] = useLocalStorage<Layout>(storageKey, DEFAULT);
  const [adding, setAdding] = useState("");
  const keys = (layout.keys ?? metricKeys.slice(0, 6)).filter((k) => metricKeys.includes(k) || layout.keys !== null);
  const shownRuns = runs.slice(0, layout.runCount);
  const update = (patch: Partial<Layout>) => setLayout({ ...layout, keys, ...patch });
  if (!metricKeys.length) return <Empty>No metrics logged in these runs yet.</Empty>;
  return (
    <div className="charts">
      <div className="toolbar">
        <ChartSettingsBar settings={layout.settings} onChange={(settings) => update({ settings })} />
        <label>
          Runs{" "}
          <select aria-label="Runs charted" value={layout.runCount} onChange={(e) => update({ runCount: Number(e.target.value) })}>
            {[5, 10, 20, 50, 100].map((n) => (
              <option key={n} value={n}>
                first {n}
              </option>
            ))}
          </select>
        </label>
        <span className="spacer" />
        <select aria-label="Add chart" value={adding} onChange={(e) => setAdding(e.target.value)}>
          <option value="">Add a chart…</option>
          {metricKeys
            .filter((k) => !keys.includes(k))
            .map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
        </select>
        <button disabled={!adding} onClick={() => (update({ keys: [...keys, adding] }), setAdding(""))}>
          Add
        </button>
      </div>
      <div className="chart-grid">
        {keys.map((k) => (
          <div key={k} className="chart-cell">
            <button className="ghost small remove" aria-label={`Remove chart ${k}`} onClick={() => update({ keys: keys.filter((x) => x !== k) })}>
              ×
            </button>
            <MetricChart metricKey={k} runs={shownRuns} settings={layout.settings} />
          </div>
        ))}
      </div>
    </div>
  );
}
