import { useMemo, useState } from "react";
import * as api from "../api";
import { useAsync, useLocalStorage } from "../hooks";
import { compareRows, scatterPoints, type CompareRow } from "../lib/compare";
import { formatNumber } from "../lib/format";
import { hrefFor } from "../lib/route";
import { toRow } from "../lib/runRow";
import { MetricChart, type ChartSettings } from "../components/MetricChart";
import { ParallelCoordinates } from "../components/ParallelCoordinates";
import { Scatter } from "../components/Scatter";
import { Empty, ErrorBox, Loading } from "../components/Status";
import { ChartSettingsBar } from "./ChartsGrid";

export function CompareView({ runIds }: { runIds: string[] }) {
  const runs = useAsync(() => Promise.all(runIds.map((id) => api.getRun(id))), [runIds.join(",")]);
  const [onlyDiff, setOnlyDiff] = useState(false);
  const [settings, setSettings] = useLocalStorage<ChartSettings>("mltrail.compareCharts", { xAxis: "step", smoothing: 0, log: false });
  const rows = useMemo(() => (runs.data ?? []).map(toRow), [runs.data]);
  const params = useMemo(() => compareRows(rows.map((r) => r.params)), [rows]);
  const metrics = useMemo(() => compareRows(rows.map((r) => r.metrics), (v) => formatNumber(Number(v))), [rows]);
  const numericKeys = useMemo(
    () => [...params.map((p) => `params.${p.key}`), ...metrics.map((m) => `metrics.${m.key}`)],
    [params, metrics],
  );
  const [x, setX] = useState<string>();
  const [y, setY] = useState<string>();
  if (!runIds.length) return <Empty>Select runs in an experiment's table, then press Compare.</Empty>;
  if (runs.error) return <ErrorBox error={runs.error} onRetry={runs.reload} />;
  if (!runs.data) return <Loading what="runs" />;
  const xKey = x ?? numericKeys.find((k) => k.startsWith("params.")) ?? numericKeys[0] ?? "";
  const yKey = y ?? numericKeys.find((k) => k.startsWith("metrics.")) ?? numericKeys[0] ?? "";
  const section = (title: string, list: CompareRow[]) => {
    const shown = onlyDiff ? list.filter((r) => r.differs) : list;
    return (
      <>
        <h2>
          {title} <span className="muted">({list.filter((r) => r.differs).length} differ)</span>
        </h2>
        {shown.length === 0 ? (
          <p className="muted">{list.length ? "All equal." : "None."}</p>
        ) : (
          <div className="table-scroll">
            <table className="grid compare" data-section={title.toLowerCase()}>
              <thead>
                <tr>
                  <th>Run</th>
                  {rows.map((r) => (
                    <th key={r.id}>
                      <a href={hrefFor({ view: "run", runId: r.id, tab: "overview" })}>{r.name}</a>
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {shown.map((r) => (
                  <tr key={r.key} className={r.differs ? "differs" : ""} data-key={r.key}>
                    <th className="mono">{r.key}</th>
                    {r.values.map((v, i) => (
                      <td key={i} className={v === undefined ? "missing" : ""}>
                        {v ?? "–"}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </>
    );
  };
  const metricKeys = metrics.map((m) => m.key);
  return (
    <section className="page compare-page">
      <h1>Comparing {rows.length} runs</h1>
      <div className="toolbar">
        <label>
          <input type="checkbox" checked={onlyDiff} onChange={(e) => setOnlyDiff(e.target.checked)} /> Only differences
        </label>
      </div>
      {section("Parameters", params)}
      {section("Metrics", metrics)}
      <h2>Parallel coordinates</h2>
      <ParallelCoordinates rows={rows} keys={numericKeys.filter((k) => !k.startsWith("params.") || params.find((p) => `params.${p.key}` === k)?.differs).slice(0, 12)} />
      <h2>Scatter</h2>
      <div className="toolbar">
        <label>
          X{" "}
          <select aria-label="Scatter X" value={xKey} onChange={(e) => setX(e.target.value)}>
            {numericKeys.map((k) => (
              <option key={k}>{k}</option>
            ))}
          </select>
        </label>
        <label>
          Y{" "}
          <select aria-label="Scatter Y" value={yKey} onChange={(e) => setY(e.target.value)}>
            {numericKeys.map((k) => (
              <option key={k}>{k}</option>
            ))}
          </select>
        </label>
      </div>
      <Scatter points={scatterPoints(rows, xKey, yKey)} xLabel={xKey} yLabel={yKey} />
      <h2>Metric charts</h2>
      <div className="toolbar">
        <ChartSettingsBar settings={settings} onChange={setSettings} />
      </div>
      <div className="chart-grid">
        {metricKeys.slice(0, 12).map((k) => (
          <div key={k} className="chart-cell">
            <MetricChart metricKey={k} runs={rows.slice(0, 100)} settings={settings} />
          </div>
        ))}
      </div>
    </section>
  );
}
