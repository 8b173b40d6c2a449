/** The runs table's user-chosen columns, remembered per experiment in localStorage. */

export type ColumnKind = "metrics" | "params" | "tags";
/** A column id is the search grammar's key: `metrics.loss`, `params.lr`, `tags.team`. */
export type ColumnId = `${ColumnKind}.${string}`;

export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

const PREFIX = "mltrail.columns.";

export function storageKey(experimentId: string): string {
  return PREFIX + experimentId;
}

export function parseColumnId(id: string): { kind: ColumnKind; key: string } | null {
  const dot = id.indexOf(".");
  if (dot < 0) return null;
  const kind = id.slice(0, dot);
  const key = id.slice(dot + 1);
  if ((kind === "metrics" || kind === "params" || kind === "tags") && key) return { kind, key };
  return null;
}

export function loadColumns(store: KeyValueStore, experimentId: string): ColumnId[] | null {
  const raw = store.getItem(storageKey(experimentId));
  if (raw === null) return null;
  try {
    const parsed: unknown = JSON.parse(raw);
    if (!Array.isArray(parsed)) return null;
    return parsed.filter(
      (v): v is ColumnId => typeof v === "string" && parseColumnId(v) !== null,
    );
  } catch {
    return null; // a corrupt entry falls back to the defaults
  }
}

export function saveColumns(store: KeyValueStore, experimentId: string, cols: ColumnId[]): void {
  store.setItem(storageKey(experimentId), JSON.stringify(cols));
}

export function toggleColumn(cols: ColumnId[], id: ColumnId): ColumnId[] {
  return cols.includes(id) ? cols.filter((c) => c !== id) : [...cols, id];
}

/** Defaults when the user chose nothing: the first few metrics, then params. */
export function defaultColumns(metricKeys: string[], paramKeys: string[]): ColumnId[] {
  const metrics = metricKeys.slice(0, 4).map((k): ColumnId => `metrics.${k}`);
  const params = paramKeys.slice(0, 3).map((k): ColumnId => `params.${k}`);
  return [...metrics, ...params];
}

/** The search grammar quotes keys with characters outside [A-Za-z0-9_.]. */
export function searchKey(id: ColumnId): string {
  const parsed = parseColumnId(id);
  if (!parsed) return id;
  return /^[A-Za-z0-9_]+$/.test(parsed.key) ? id : `${parsed.kind}.\`${parsed.key}\``;
}
