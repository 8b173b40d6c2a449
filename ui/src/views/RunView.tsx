import { useState } from "react";
import * as api from "../api";
import { useAsync, useLocalStorage, useNow } from "../hooks";
import { formatDuration, formatNumber, formatTime } from "../lib/format";
import { renderMarkdown } from "../lib/markdown";
import { hrefFor, RUN_TABS, type RunTab } from "../lib/route";
import { TAG, toRow } from "../lib/runRow";
import { ArtifactBrowser } from "../components/ArtifactBrowser";
import { RunModelVersions } from "../components/RunModelVersions";
import { TagTable } from "../components/TagTable";
import { InlineEdit } from "../components/InlineEdit";
import { MetricChart, type ChartSettings } from "../components/MetricChart";
import { Sparkline } from "../components/Sparkline";
import { Empty, ErrorBox, Loading } from "../components/Status";
import { ChartSettingsBar } from "./ChartsGrid";

interface Props {
  runId: string;
  tab: RunTab;
  query: URLSearchParams;
}

export function RunView({ runId, tab, query }: Props) {
  const run = useAsync(() => api.getRun(runId), [runId]);
  if (run.error) return <ErrorBox error={run.error} onRetry={run.reload} />;
  if (!run.data) return <Loading what="run" />;
  const r = run.data;
  const row = toRow(r);
  const edit = (fn: () => Promise<unknown>) => fn().then(run.reload);
  return (
    <section className="page run-page">
      <div className="crumbs">
        <a href={hrefFor({ view: "experiments" })}>Experiments</a> /{" "}
        <a href={hrefFor({ view: "runs", experimentId: row.experimentId, tab: "runs" })}>experiment {row.experimentId}</a> /{" "}
        <strong>
          <InlineEdit label="run name" value={row.name} onSave={(v) => edit(() => api.renameRun(runId, v))} />
        </strong>
      </div>
      <div className="tabs" role="tablist">
        {RUN_TABS.map((t) => (
          <a key={t} role="tab" aria-selected={tab === t} href={hrefFor({ view: "run", runId, tab: t })}>
            {t[0]?.toUpperCase() + t.slice(1)}
          </a>
        ))}
      </div>
      {tab === "overview" && <Overview run={r} onEdit={edit} />}
      {tab === "params" && <KeyValues rows={(r.data.params ?? []).map((p) => [p.key, p.value])} empty="No parameters logged." />}
      {tab === "metrics" && <Metrics run={r} />}
      {tab === "tags" && <Tags run={r} onEdit={edit} />}
      {tab === "artifacts" && <ArtifactBrowser runId={runId} path={query.get("path") ?? ""} />}
      {tab === "charts" && <RunCharts run={r} />}
    </section>
  );
}

function Overview({ run, onEdit }: { run: api.Run; onEdit: (fn: () => Promise<unknown>) => Promise<unknown> }) {
  const row = toRow(run);
  const note = row.tags[TAG.note] ?? "";
  const children = useAsync(
    () => api.searchRuns({ experimentIds: [row.experimentId], filter: `tags.\`${TAG.parent}\` = '${row.id}'`, maxResults: 200 }),
    [row.id],
  );
  const models = run.outputs?.model_outputs ?? [];
  const datasets = run.inputs?.dataset_inputs ?? [];
  const now = useNow(row.end ? 60_000 : 1000);
  const duration = row.start ? formatDuration((row.end ?? now) - row.start) : "";
  return (
    <div className="overview">
      <dl className="facts">
        <dt>Run ID</dt>
        <dd className="mono">{row.id}</dd>
        <dt>Status</dt>
        <dd>
          <span className={`status ${row.status.toLowerCase()}`}>{row.status}</span>
          {row.lifecycle === "deleted" && " (deleted)"}
        </dd>
        <dt>Started</dt>
        <dd>{formatTime(row.start)}</dd>
        <dt>Ended</dt>
        <dd>{formatTime(row.end)}</dd>
        <dt>Duration</dt>
        <dd>{duration}</dd>
        <dt>User</dt>
        <dd>{row.user}</dd>
        <dt>Source</dt>
        <dd className="mono">{row.source}</dd>
        {row.commit && (
          <>
            <dt>Git commit</dt>
            <dd className="mono">{row.commit}</dd>
          </>
        )}
        {row.parentId && (
          <>
            <dt>Parent run</dt>
            <dd>
              <a href={hrefFor({ view: "run", runId: row.parentId, tab: "overview" })}>{row.parentId}</a>
            </dd>
          </>
        )}
        {children.data && children.data.runs.length > 0 && (
          <>
            <dt>Child runs</dt>
            <dd>
              {children.data.runs.map((c) => (
                <a key={c.info.run_id} className="chip" href={hrefFor({ view: "run", runId: c.info.run_id, tab: "overview" })}>
                  {c.info.run_name ?? c.info.run_id}
                </a>
              ))}
            </dd>
          </>
        )}
        <RunModelVersions runId={row.id} />
        <dt>Artifact URI</dt>
        <dd className="mono">{run.info.artifact_uri}</dd>
      </dl>
      <h2>Description</h2>
      <div className="description">
        <InlineEdit
          label="description"
          multiline
          value={note}
          display={note ? <div className="markdown" dangerouslySetInnerHTML={{ __html: renderMarkdown(note) }} /> : <em className="muted">No description.</em>}
          onSave={(v) => onEdit(() => api.setRunTag(run.info.run_id, TAG.note, v))}
        />
      </div>
      {datasets.length > 0 && (
        <>
          <h2>Datasets</h2>
          <table className="grid">
            <thead>
              <tr>
                <th>Name</th>
                <th>Digest</th>
                <th>Source</th>
                <th>Context</th>
              </tr>
            </thead>
            <tbody>
              {datasets.map((d, i) => (
                <tr key={i}>
                  <td>{d.dataset.name}</td>
                  <td className="mono">{d.dataset.digest}</td>
                  <td>{d.dataset.source_type}</td>
                  <td>{d.tags?.find((t) => t.key === "mlflow.data.context")?.value}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {(models.length > 0 || row.models > 0) && (
        <>
          <h2>Logged models</h2>
          <ul>
            {models.map((m) => (
              <li key={m.model_id} className="mono">
                {m.model_id} (step {m.step})
              </li>
            ))}
            {!models.length && <li>{row.models} model(s): see the Artifacts tab.</li>}
          </ul>
        </>
      )}
    </div>
  );
}

function KeyValues({ rows, empty }: { rows: [string, React.ReactNode][]; empty: string }) {
  const [q, setQ] = useState("");
  if (!rows.length) return <Empty>{empty}</Empty>;
  const shown = rows.filter(([k]) => k.toLowerCase().includes(q.toLowerCase()));
  return (
    <>
      <input type="search" placeholder="Filter keys" aria-label="Filter keys" value={q} onChange={(e) => setQ(e.target.value)} />
      <table className="grid kv">
        <tbody>
          {shown.map(([k, v]) => (
            <tr key={k}>
              <th className="mono">{k}</th>
              <td>{v}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function Metrics({ run }: { run: api.Run }) {
  const metrics = run.data.metrics ?? [];
  if (!metrics.length) return <Empty>No metrics logged.</Empty>;
  return (
    <table className="grid metrics">
      <thead>
        <tr>
          <th>Metric</th>
          <th>Latest</th>
          <th>Step</th>
          <th>History</th>
        </tr>
      </thead>
      <tbody>
        {metrics.map((m) => (
          <tr key={m.key}>
            <th className="mono">{m.key}</th>
            <td className="num">{formatNumber(m.value)}</td>
            <td className="num">{m.step}</td>
            <td>
              <Sparkline runId={run.info.run_id} metricKey={m.key} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Tags({ run, onEdit }: { run: api.Run; onEdit: (fn: () => Promise<unknown>) => Promise<unknown> }) {
  const id = run.info.run_id;
  const tags = (run.data.tags ?? []).filter((t) => !t.key.startsWith("mlflow.") || t.key === "mlflow.runName");
  return (
    <TagTable
      tags={tags}
      onSet={(key, value) => onEdit(() => api.setRunTag(id, key, value))}
      onDelete={(key) => onEdit(() => api.deleteRunTag(id, key))}
    />
  );
}

function RunCharts({ run }: { run: api.Run }) {
  const [settings, setSettings] = useLocalStorage<ChartSettings>("mltrail.runCharts", { xAxis: "step", smoothing: 0, log: false });
  const keys = (run.data.metrics ?? []).map((m) => m.key).sort();
  if (!keys.length) return <Empty>No metrics logged.</Empty>;
  const runs = [{ id: run.info.run_id, name: run.info.run_name ?? run.info.run_id }];
  // System metrics (`system/cpu_utilization_percentage`, ...) get their own section.
  const groups = [
    { title: "Model metrics", keys: keys.filter((k) => !k.startsWith("system/")) },
    { title: "System metrics", keys: keys.filter((k) => k.startsWith("system/")) },
  ].filter((g) => g.keys.length);
  return (
    <div className="charts">
      <div className="toolbar">
        <ChartSettingsBar settings={settings} onChange={setSettings} />
      </div>
      {groups.map((g) => (
        <section key={g.title} aria-label={g.title}>
          {groups.length > 1 && <h2>{g.title}</h2>}
          <div className="chart-grid">
            {g.keys.map((k) => (
              <div key={k} className="chart-cell">
                <MetricChart metricKey={k} runs={runs} settings={settings} />
              </div>
            ))}
          </div>
        </section>
      ))}
    </div>
  );
}
