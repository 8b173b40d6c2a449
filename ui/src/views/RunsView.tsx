import { useMemo, useState } from "react";
import * as api from "../api";
import { useAsync } from "../hooks";
import { defaultColumns, loadColumns, saveColumns, type ColumnId } from "../lib/columns";
import { orderClause, parseOrder } from "../lib/filter";
import { hrefFor } from "../lib/route";
import { collectKeys } from "../lib/runRow";
import { nestRows } from "../lib/runTree";
import { useRuns } from "../useRuns";
import { ColumnPicker } from "../components/ColumnPicker";
import { FilterBox } from "../components/FilterBox";
import { RunsTable } from "../components/RunsTable";
import { Empty, ErrorBox } from "../components/Status";
import { ChartsGrid } from "./ChartsGrid";

interface Props {
  experimentId: string;
  tab: "runs" | "charts";
  query: URLSearchParams;
}

export function RunsView({ experimentId, tab, query }: Props) {
  const filter = query.get("filter") ?? "";
  const order = query.get("order");
  const viewType = (query.get("lifecycle") as api.ViewType | null) ?? "ACTIVE_ONLY";
  const experiment = useAsync(() => api.getExperiment(experimentId), [experimentId]);
  const runs = useRuns(experimentId, filter, order, viewType);
  const keys = useMemo(() => collectKeys(runs.rows), [runs.rows]);
  const [chosen, setChosen] = useState<ColumnId[] | null>(() => loadColumns(window.localStorage, experimentId));
  const columns = chosen ?? defaultColumns(keys.metrics, keys.params);
  const [picking, setPicking] = useState(false);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const [actionError, setActionError] = useState<Error>();
  const nodes = useMemo(() => nestRows(runs.rows, (r) => r.id, (r) => r.parentId, expanded), [runs.rows, expanded]);
  const allKeys = useMemo(
    () => [
      ...keys.metrics.map((k) => `metrics.${k}`),
      ...keys.params.map((k) => `params.${k}`),
      ...keys.tags.map((k) => `tags.${k}`),
      "attributes.status",
      "attributes.run_name",
      "attributes.start_time",
      "attributes.user_id",
    ],
    [keys],
  );

  const navigate = (changes: Record<string, string | undefined>) => {
    const next: Record<string, string | undefined> = { filter, order: order ?? undefined, lifecycle: viewType === "ACTIVE_ONLY" ? undefined : viewType, ...changes };
    window.location.hash = hrefFor({ view: "runs", experimentId, tab }, next);
  };
  const setColumns = (cols: ColumnId[]) => {
    setChosen(cols);
    saveColumns(window.localStorage, experimentId, cols);
  };
  const onSort = (column: string) => {
    const current = parseOrder(order);
    // First click sorts descending (best metric first), the next ascending, then back.
    const ascending = current?.column === column ? !current.ascending : false;
    navigate({ order: orderClause(column, ascending) });
  };
  const toggle = <T,>(set: ReadonlySet<T>, id: T, on: boolean): Set<T> => {
    const next = new Set(set);
    if (on) next.add(id);
    else next.delete(id);
    return next;
  };
  const bulk = async (fn: (id: string) => Promise<unknown>) => {
    setActionError(undefined);
    try {
      await Promise.all([...selected].map(fn));
      setSelected(new Set());
      runs.reload();
    } catch (e) {
      setActionError(e as Error);
    }
  };
  const selectedIds = [...selected];

  return (
    <section className="page runs-page">
      <div className="crumbs">
        <a href={hrefFor({ view: "experiments" })}>Experiments</a> / <strong>{experiment.data?.name ?? experimentId}</strong>
      </div>
      {experiment.error && <ErrorBox error={experiment.error} />}
      <div className="tabs" role="tablist">
        <a role="tab" aria-selected={tab === "runs"} href={hrefFor({ view: "runs", experimentId, tab: "runs" }, { filter, order: order ?? undefined })}>
          Runs
        </a>
        <a role="tab" aria-selected={tab === "charts"} href={hrefFor({ view: "runs", experimentId, tab: "charts" }, { filter, order: order ?? undefined, runs: selectedIds.join(",") || undefined })}>
          Charts
        </a>
      </div>
      <div className="toolbar">
        <FilterBox key={filter} value={filter} keys={allKeys} onApply={(f) => navigate({ filter: f || undefined })} />
        <select aria-label="Lifecycle" value={viewType} onChange={(e) => navigate({ lifecycle: e.target.value === "ACTIVE_ONLY" ? undefined : e.target.value })}>
          <option value="ACTIVE_ONLY">Active</option>
          <option value="DELETED_ONLY">Deleted</option>
          <option value="ALL">All</option>
        </select>
        {tab === "runs" && (
          <button className="ghost" onClick={() => setPicking(!picking)} aria-expanded={picking}>
            Columns ({columns.length})
          </button>
        )}
        <button className="ghost" onClick={runs.reload}>
          Refresh
        </button>
        <span className="spacer" />
        <span className="count" data-testid="run-count">
          {runs.rows.length.toLocaleString()} run{runs.rows.length === 1 ? "" : "s"}
          {!runs.done && !runs.error ? " (loading…)" : ""}
        </span>
        <a
          className={`button${selected.size < 1 ? " disabled" : ""}`}
          aria-disabled={selected.size < 1}
          href={selected.size ? hrefFor({ view: "compare", runIds: selectedIds }) : undefined}
        >
          Compare ({selected.size})
        </a>
        {viewType !== "DELETED_ONLY" && (
          <button className="ghost danger" disabled={!selected.size} onClick={() => void bulk(api.deleteRun)}>
            Delete
          </button>
        )}
        {viewType !== "ACTIVE_ONLY" && (
          <button className="ghost" disabled={!selected.size} onClick={() => void bulk(api.restoreRun)}>
            Restore
          </button>
        )}
      </div>
      {picking && <ColumnPicker keys={keys} columns={columns} onChange={setColumns} onClose={() => setPicking(false)} />}
      {actionError && <ErrorBox error={actionError} />}
      {runs.error && <ErrorBox error={runs.error} onRetry={runs.reload} />}
      {tab === "runs" &&
        (runs.done && runs.rows.length === 0 && !runs.error ? (
          <Empty>{filter ? "No runs match this filter." : "No runs in this experiment yet."}</Empty>
        ) : (
          <RunsTable
            nodes={nodes}
            columns={columns}
            order={parseOrder(order)}
            onSort={onSort}
            selected={selected}
            onSelect={(id, on) => setSelected(toggle(selected, id, on))}
            onSelectAll={(on) => setSelected(on ? new Set(nodes.map((n) => n.item.id)) : new Set())}
            expanded={expanded}
            onExpand={(id) => setExpanded(toggle(expanded, id, !expanded.has(id)))}
          />
        ))}
      {tab === "charts" && (
        <ChartsGrid
          storageKey={`mltrail.charts.${experimentId}`}
          runs={(query.get("runs") ? runs.rows.filter((r) => (query.get("runs") ?? "").split(",").includes(r.id)) : runs.rows).slice(0, 100)}
          metricKeys={keys.metrics}
        />
      )}
    </section>
  );
}
