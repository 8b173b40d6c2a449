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

async function request<T>(method: "GET" | "POST" | "PATCH" | "DELETE", path: string, body?: unknown): Promise<T> {
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

// ---- Model registry -------------------------------------------------------------------

export const STAGES = ["None", "Staging", "Production", "Archived"] as const;
export type Stage = (typeof STAGES)[number];

export interface ModelVersion {
  name: string;
  version: string;
  creation_timestamp?: number;
  last_updated_timestamp?: number;
  user_id?: string;
  current_stage?: string;
  description?: string;
  source?: string;
  run_id?: string;
  status?: string;
  status_message?: string;
  tags?: KeyValue[];
  run_link?: string;
  aliases?: string[];
  model_id?: string;
}

export interface RegisteredModel {
  name: string;
  creation_timestamp?: number;
  last_updated_timestamp?: number;
  user_id?: string;
  description?: string;
  latest_versions?: ModelVersion[];
  tags?: KeyValue[];
  aliases?: { alias: string; version: string }[];
}

export interface Page<T> {
  items: T[];
  next_page_token?: string;
}

export const searchRegisteredModels = (args: { filter?: string; orderBy?: string[]; maxResults?: number; pageToken?: string }) =>
  request<{ registered_models?: RegisteredModel[]; next_page_token?: string }>("GET", "registered-models/search", {
    filter: args.filter || undefined,
    order_by: args.orderBy,
    max_results: args.maxResults ?? 100,
    page_token: args.pageToken,
  }).then((r): Page<RegisteredModel> => ({ items: r.registered_models ?? [], next_page_token: r.next_page_token }));

export const getRegisteredModel = (name: string) =>
  request<{ registered_model: RegisteredModel }>("GET", "registered-models/get", { name }).then((r) => r.registered_model);
export const createRegisteredModel = (name: string, description?: string) =>
  request<{ registered_model: RegisteredModel }>("POST", "registered-models/create", { name, description }).then(
    (r) => r.registered_model,
  );
export const renameRegisteredModel = (name: string, newName: string) =>
  request<{ registered_model: RegisteredModel }>("POST", "registered-models/rename", { name, new_name: newName }).then(
    (r) => r.registered_model,
  );
export const updateRegisteredModel = (name: string, description: string) =>
  request("PATCH", "registered-models/update", { name, description });
export const deleteRegisteredModel = (name: string) => request("DELETE", "registered-models/delete", { name });
export const setRegisteredModelTag = (name: string, key: string, value: string) =>
  request("POST", "registered-models/set-tag", { name, key, value });
export const deleteRegisteredModelTag = (name: string, key: string) =>
  request("DELETE", "registered-models/delete-tag", { name, key });
export const setModelAlias = (name: string, alias: string, version: string) =>
  request("POST", "registered-models/alias", { name, alias, version });
export const deleteModelAlias = (name: string, alias: string) => request("DELETE", "registered-models/alias", { name, alias });

export const searchModelVersions = (args: { filter?: string; orderBy?: string[]; maxResults?: number; pageToken?: string }) =>
  request<{ model_versions?: ModelVersion[]; next_page_token?: string }>("GET", "model-versions/search", {
    filter: args.filter || undefined,
    order_by: args.orderBy,
    max_results: args.maxResults ?? 1000,
    page_token: args.pageToken,
  }).then((r): Page<ModelVersion> => ({ items: r.model_versions ?? [], next_page_token: r.next_page_token }));

/** Every page of a version search (a model's versions, a run's registered versions). */
export async function allModelVersions(filter: string, orderBy?: string[]): Promise<ModelVersion[]> {
  const out: ModelVersion[] = [];
  let token: string | undefined;
  do {
    const page = await searchModelVersions({ filter, orderBy, pageToken: token });
    out.push(...page.items);
    token = page.next_page_token;
  } while (token);
  return out;
}

export const getModelVersion = (name: string, version: string) =>
  request<{ model_version: ModelVersion }>("GET", "model-versions/get", { name, version }).then((r) => r.model_version);
export const updateModelVersion = (name: string, version: string, description: string) =>
  request("PATCH", "model-versions/update", { name, version, description });
export const transitionModelVersionStage = (name: string, version: string, stage: Stage, archiveExisting: boolean) =>
  request<{ model_version: ModelVersion }>("POST", "model-versions/transition-stage", {
    name,
    version,
    stage,
    archive_existing_versions: archiveExisting,
  }).then((r) => r.model_version);
export const deleteModelVersion = (name: string, version: string) => request("DELETE", "model-versions/delete", { name, version });
export const setModelVersionTag = (name: string, version: string, key: string, value: string) =>
  request("POST", "model-versions/set-tag", { name, version, key, value });
export const deleteModelVersionTag = (name: string, version: string, key: string) =>
  request("DELETE", "model-versions/delete-tag", { name, version, key });
