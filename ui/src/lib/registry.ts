/** Model-registry helpers the views share: search filters, sort orders, artifact paths. */

import { quote } from "./filter";

const FILTER_SYNTAX = /^(name\s*(!?=|\s(i?like|in)\b)|tags\.|`)/i;

/** What the search box sends: a registry filter as typed (`name LIKE '%x%'`, `tags.k = 'v'`),
 * or plain text, matched anywhere in the name regardless of case. */
export function modelSearchFilter(text: string): string {
  const t = text.trim();
  if (!t) return "";
  if (FILTER_SYNTAX.test(t)) return t;
  const escaped = t.replace(/[\\%_]/g, (c) => `\\${c}`);
  return `name ILIKE ${quote(`%${escaped}%`)}`;
}

export const MODEL_SORTS = [
  { value: "last_updated_timestamp DESC", label: "Last modified (newest)" },
  { value: "last_updated_timestamp ASC", label: "Last modified (oldest)" },
  { value: "name ASC", label: "Name (A→Z)" },
  { value: "name DESC", label: "Name (Z→A)" },
] as const;
export const DEFAULT_MODEL_SORT = MODEL_SORTS[0].value;

export function parseSort(order: string | null): string {
  return MODEL_SORTS.some((s) => s.value === order) ? (order as string) : DEFAULT_MODEL_SORT;
}

/** Clicking a column header: the same column flips direction, another starts at its natural one. */
export function toggleSort(current: string, column: "name" | "last_updated_timestamp"): string {
  const [col, dir] = current.split(" ");
  if (col === column) return `${column} ${dir === "ASC" ? "DESC" : "ASC"}`;
  return column === "name" ? "name ASC" : "last_updated_timestamp DESC";
}

/** Where a version's model lives inside its source run's artifacts, if it does: `runs:/<id>/path`,
 * or an absolute source under the run's artifact URI. */
export function runArtifactPath(source: string | undefined, runId: string | undefined, artifactUri?: string): string | undefined {
  if (!source || !runId) return undefined;
  const runs = /^runs:\/+([^/]+)\/?(.*)$/.exec(source);
  if (runs) return runs[1] === runId ? trimSlashes(runs[2] ?? "") : undefined;
  if (artifactUri) {
    const root = artifactUri.replace(/\/+$/, "");
    if (source === root) return "";
    if (source.startsWith(`${root}/`)) return trimSlashes(source.slice(root.length + 1));
  }
  return undefined;
}

function trimSlashes(p: string): string {
  return p.replace(/^\/+|\/+$/g, "");
}

/** Version numbers sort as numbers, newest first. */
export function byVersionDesc(a: { version: string }, b: { version: string }): number {
  return Number(b.version) - Number(a.version) || b.version.localeCompare(a.version);
}

/** Archiving the stage's other versions only makes sense when entering Staging or Production. */
export function canArchiveExisting(stage: string): boolean {
  return stage === "Staging" || stage === "Production";
}

/** A description's first line without Markdown marks, for one-line summaries in tables. */
export function summary(description: string | undefined): string {
  const first = (description ?? "").split("\n").find((l) => l.trim()) ?? "";
  return first.replace(/^\s*(#+|[-*+]|\d+[.)])\s+/, "").replace(/[*_`]+/g, "").replace(/\[([^\]]*)\]\([^)]*\)/g, "$1").trim();
}
