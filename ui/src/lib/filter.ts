/** Combining the user's filter with the UI's own conditions (the grammar is AND-only). */
export function andFilter(...parts: (string | undefined)[]): string {
  return parts
    .map((p) => (p ?? "").trim())
    .filter(Boolean)
    .join(" and ");
}

/** A single-quoted filter literal: as in SQL, a quote inside is written twice. */
export function quote(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

export function orderClause(column: string, ascending: boolean): string {
  return `${column} ${ascending ? "ASC" : "DESC"}`;
}

/** "metrics.loss DESC" -> { column, ascending } (for the header arrows). */
export function parseOrder(order: string | null): { column: string; ascending: boolean } | null {
  if (!order) return null;
  const m = /^(.*?)\s+(ASC|DESC)$/i.exec(order.trim());
  if (!m) return { column: order.trim(), ascending: true };
  return { column: m[1] as string, ascending: (m[2] as string).toUpperCase() === "ASC" };
}
