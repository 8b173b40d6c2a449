import type { Run } from "../api";

/** A run flattened for the table: O(1) lookups by column id. */
export interface RunRow {
  id: string;
  name: string;
  experimentId: string;
  status: string;
  lifecycle: string;
  start?: number;
  end?: number;
  user: string;
  source: string;
  commit: string;
  parentId?: string;
  models: number;
  metrics: Record<string, number>;
  params: Record<string, string>;
  tags: Record<string, string>;
}

export const TAG = {
  parent: "mlflow.parentRunId",
  source: "mlflow.source.name",
  commit: "mlflow.source.git.commit",
  user: "mlflow.user",
  note: "mlflow.note.content",
  models: "mlflow.log-model.history",
} as const;

export function toRow(run: Run): RunRow {
  const metrics: Record<string, number> = {};
  for (const m of run.data.metrics ?? []) metrics[m.key] = m.value;
  const params: Record<string, string> = {};
  for (const p of run.data.params ?? []) params[p.key] = p.value;
  const tags: Record<string, string> = {};
  for (const t of run.data.tags ?? []) tags[t.key] = t.value;
  return {
    id: run.info.run_id,
    name: run.info.run_name ?? tags["mlflow.runName"] ?? run.info.run_id,
    experimentId: run.info.experiment_id,
    status: run.info.status,
    lifecycle: run.info.lifecycle_stage,
    start: run.info.start_time,
    end: run.info.end_time,
    user: run.info.user_id || tags[TAG.user] || "",
    source: tags[TAG.source] ?? "",
    commit: tags[TAG.commit] ?? "",
    parentId: tags[TAG.parent],
    models: modelCount(run, tags),
    metrics,
    params,
    tags,
  };
}

function modelCount(run: Run, tags: Record<string, string>): number {
  const outputs = run.outputs?.model_outputs?.length ?? 0;
  if (outputs) return outputs;
  const history = tags[TAG.models];
  if (!history) return 0;
  try {
    const parsed: unknown = JSON.parse(history);
    return Array.isArray(parsed) ? parsed.length : 0;
  } catch {
    return 0;
  }
}

/** Every metric, param and (user) tag key seen in `rows`, sorted. */
export function collectKeys(rows: readonly RunRow[]): { metrics: string[]; params: string[]; tags: string[] } {
  const metrics = new Set<string>();
  const params = new Set<string>();
  const tags = new Set<string>();
  for (const r of rows) {
    for (const k in r.metrics) metrics.add(k);
    for (const k in r.params) params.add(k);
    for (const k in r.tags) if (!k.startsWith("mlflow.")) tags.add(k);
  }
  const sorted = (s: Set<string>) => [...s].sort((a, b) => a.localeCompare(b));
  return { metrics: sorted(metrics), params: sorted(params), tags: sorted(tags) };
}

export function cellValue(row: RunRow, kind: "metrics" | "params" | "tags", key: string): string | number | undefined {
  return row[kind][key];
}
