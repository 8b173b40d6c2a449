// Distinguishable on light and dark backgrounds (Tableau 10).
export const PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"];

export function colorFor(i: number): string {
  return PALETTE[i % PALETTE.length] as string;
}
