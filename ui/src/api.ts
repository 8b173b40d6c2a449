/** The REST API, as every client sees it (plus a few UI-only reads under /ajax-api). */

export interface KeyValue {
  key: string;
  value: string;
}

export interface Experiment {
  experiment_id: string;
  name: string;
  artifact_location?: string;
  lifecycle_stage: "active" | "deleted";
  creation_time?: number;
  last_update_time?: number;
  tags?: KeyValue[];
}

export interface MetricValue {
  key: string;
  value: number;
  timestamp: number;
  step: number;
}

export interface RunInfo {
  run_id: string;
  run_name?: string;
  experiment_id: string;
  user_id?: string;
  status: string;
  start_time?: number;
  end_time?: number;
  artifact_uri?: string;
  lifecycle_stage: string;
}

export interface DatasetInput {
  dataset: { name: string; digest: string; source_type?: string; source?: string; schema?: string; profile?: string };
  tags?: KeyValue[];
}

export interface Run {
  info: RunInfo;
  data: { metrics?: MetricValue[]; params?: KeyValue[]; tags?: KeyValue[] };
  inputs?: { dataset_inputs?: DatasetInput[]; model_inputs?: { model_id: string }[] };
  outputs?: { model_outputs?: { model_id: string; step: number }[] };
}

export interface FileInfo {
  path: string;
  is_dir?: boolean;
  file_size?: number;
}

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code?: string,
  ) {
    super(message);
  }
}

/** Relative to the page, so the UI works under any --static-prefix. */
export function apiUrl(path: string): string {
  return new URL(path, new URL(".", window.location.href)).toString();
}

const API = "ajax-api/2.0/mlflow/";

async function request<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
  let url = apiUrl(API + path);
  const init: RequestInit = { method, headers: {} };
  if (method === "GET" && body) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
      if (Array.isArray(v)) for (const item of v) params.append(k, String(item));
      else if (v !== undefined && v !== null) params.set(k, String(v));
    }
    url += `?${params.toString()}`;
  } else if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { "Content-Type": "application/json" };
  }
  const res = await fetch(url, init);
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : {};
  } catch {
    json = { message: text };
  }
  if (!res.ok) {
    const err = json as { message?: string; error_code?: string };
    throw new ApiError(err.message ?? `${res.status} ${res.statusText}`, res.status, err.error_code);
  }
  return json as T;
}

export type ViewType = "ACTIVE_ONLY" | "DELETED_ONLY" | "ALL";

export async function searchExperiments(filter: string, viewType: ViewType): Promise<Experiment[]> {
  const out: Experiment[] = [];
  let token: string | undefined;
  do {
    const page = await request<{ experiments?: Experiment[]; next_page_token?: string }>(
      "POST",
      "experiments/search",
      { filter: filter || undefined, view_type: viewType, max_results: 1000, page_token: token, order_by: ["name ASC"] },
    );
    out.push(...(page.experiments ?? []));
    token = page.next_page_token;
  } while (token);
  return out;
}

export const getExperiment = (id: string) =>
  request<{ experiment: Experiment }>("GET", "experiments/get", { experiment_id: id }).then((r) => r.experiment);
export const createExperiment = (name: string) =>
  request<{ experiment_id: string }>("POST", "experiments/create", { name }).then((r) => r.experiment_id);
export const renameExperiment = (id: string, name: string) =>
  request("POST", "experiments/update", { experiment_id: id, new_name: name });
export const deleteExperiment = (id: string) => request("POST", "experiments/delete", { experiment_id: id });
export const restoreExperiment = (id: string) => request("POST", "experiments/restore", { experiment_id: id });

export interface RunsPage {
  runs: Run[];
  next_page_token?: string;
}

export const searchRuns = (args: {
  experimentIds: string[];
  filter?: string;
  orderBy?: string[];
  viewType?: ViewType;
  maxResults?: number;
  pageToken?: string;
}) =>
  request<{ runs?: Run[]; next_page_token?: string }>("POST", "runs/search", {
    experiment_ids: args.experimentIds,
    filter: args.filter || undefined,
    order_by: args.orderBy,
    run_view_type: args.viewType ?? "ACTIVE_ONLY",
    max_results: args.maxResults ?? 1000,
    page_token: args.pageToken,
  }).then((r): RunsPage => ({ runs: r.runs ?? [], next_page_token: r.next_page_token }));

export const getRun = (id: string) => request<{ run: Run }>("GET", "runs/get", { run_id: id }).then((r) => r.run);
export const setRunTag = (runId: string, key: string, value: string) =>
  request("POST", "runs/set-tag", { run_id: runId, key, value });
export const deleteRunTag = (runId: string, key: string) => request("POST", "runs/delete-tag", { run_id: runId, key });
export const renameRun = (runId: string, name: string) => request("POST", "runs/update", { run_id: runId, run_name: name });
export const deleteRun = (runId: string) => request("POST", "runs/delete", { run_id: runId });
export const restoreRun = (runId: string) => request("POST", "runs/restore", { run_id: runId });

export const listArtifacts = (runId: string, path: string) =>
  request<{ files?: FileInfo[] }>("GET", "artifacts/list", { run_id: runId, path: path || undefined }).then(
    (r) => r.files ?? [],
  );

/** UI-only: a run's artifact file, whatever store holds it. */
export function artifactUrl(runId: string, path: string): string {
  const params = new URLSearchParams({ run_id: runId, path });
  return apiUrl(`ajax-api/2.0/mltrail/ui/artifact?${params.toString()}`);
}

export const metricHistory = (runIds: string[], key: string, maxResults: number, range?: [number, number]) =>
  request<{ metrics?: (MetricValue & { run_id: string })[] }>("GET", "metrics/get-history-bulk-interval", {
    run_ids: runIds,
    metric_key: key,
    max_results: maxResults,
    start_step: range ? Math.floor(range[0]) : undefined,
    end_step: range ? Math.ceil(range[1]) : undefined,
  }).then((r) => r.metrics ?? []);
