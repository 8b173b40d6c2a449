/** The arrangement of an experiment's chart grid: which charts, in what order, how wide.
 * Pure functions, so the grid component only wires them to pointer and keyboard events. */

export const CHART_SIZES = ["small", "medium", "large"] as const;
export type ChartSize = (typeof CHART_SIZES)[number];
export const DEFAULT_SIZE: ChartSize = "medium";

/** Plot height per size, so a wide chart is not a thin strip. */
export const SIZE_HEIGHT: Record<ChartSize, number> = { small: 200, medium: 240, large: 320 };

export function isChartSize(value: unknown): value is ChartSize {
  return typeof value === "string" && (CHART_SIZES as readonly string[]).includes(value);
}

/** `list` with the item at `from` moved to index `to` (clamped); a new array. */
export function moveItem<T>(list: readonly T[], from: number, to: number): T[] {
  const out = [...list];
  if (from < 0 || from >= out.length) return out;
  const target = Math.max(0, Math.min(out.length - 1, to));
  out.splice(target, 0, ...out.splice(from, 1));
  return out;
}

/** `keys` with `key` moved `delta` places (e.g. -1 for left); unchanged at the ends. */
export function moveBy(keys: readonly string[], key: string, delta: number): string[] {
  const from = keys.indexOf(key);
  if (from < 0) return [...keys];
  return moveItem(keys, from, from + delta);
}

export interface Rect {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** Where a dragged chart lands: the index of the cell under the pointer, else of the
 * cell whose centre is nearest (the pointer may be in a gap or past the last cell). */
export function dropIndex(cells: readonly Rect[], x: number, y: number): number {
  let best = -1;
  let bestDistance = Infinity;
  for (const [i, c] of cells.entries()) {
    if (x >= c.left && x <= c.left + c.width && y >= c.top && y <= c.top + c.height) return i;
    const dx = x - (c.left + c.width / 2);
    const dy = y - (c.top + c.height / 2);
    const distance = dx * dx + dy * dy;
    if (distance < bestDistance) {
      bestDistance = distance;
      best = i;
    }
  }
  return best;
}

/** The width of each chart: the stored size, or the default. */
export function sizeOf(sizes: Readonly<Record<string, ChartSize>> | undefined, key: string): ChartSize {
  const size = sizes?.[key];
  return isChartSize(size) ? size : DEFAULT_SIZE;
}

/** `sizes` with `key` set to `size`; the default is not stored, so layouts stay small. */
export function withSize(sizes: Readonly<Record<string, ChartSize>> | undefined, key: string, size: ChartSize): Record<string, ChartSize> {
  const out = Object.fromEntries(Object.entries(sizes ?? {}).filter(([k]) => k !== key));
  if (size !== DEFAULT_SIZE) out[key] = size;
  return out;
}

/** Sizes of a layout read back from storage: anything unknown is dropped, not trusted. */
export function cleanSizes(saved: unknown): Record<string, ChartSize> {
  const out: Record<string, ChartSize> = {};
  if (!saved || typeof saved !== "object" || Array.isArray(saved)) return out;
  for (const [key, size] of Object.entries(saved)) if (isChartSize(size) && size !== DEFAULT_SIZE) out[key] = size;
  return out;
}

/** The chart keys of a layout read back from storage, or null (never arranged: defaults). */
export function cleanKeys(saved: unknown): string[] | null {
  if (!Array.isArray(saved)) return null;
  return [...new Set(saved.filter((k): k is string => typeof k === "string"))];
}
