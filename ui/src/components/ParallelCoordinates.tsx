import { parallelAxes } from "../lib/compare";
import { formatNumber } from "../lib/format";
import { colorFor } from "../lib/palette";

type Rows = Parameters<typeof parallelAxes>[0];

/** One vertical axis per numeric param/metric, one polyline per run (SVG: few runs). */
export function ParallelCoordinates({ rows, keys }: { rows: Rows; keys: string[] }) {
  const { axes, lines } = parallelAxes(rows, keys);
  if (axes.length < 2) return <p className="muted">Needs at least two numeric params or metrics.</p>;
  const W = Math.max(480, axes.length * 140);
  const H = 300;
  const top = 36;
  const bottom = H - 28;
  const x = (i: number) => 60 + (i * (W - 120)) / (axes.length - 1);
  const y = (v: number) => bottom - v * (bottom - top);
  return (
    <div className="table-scroll">
      <svg className="parallel" width={W} height={H} viewBox={`0 0 ${W} ${H}`} role="img" aria-label="Parallel coordinates">
        {lines.map((l, i) => {
          const pts = l.ys.map((v, j) => (v === null ? null : `${x(j).toFixed(1)},${y(v).toFixed(1)}`));
          // Break the line where a run has no value on an axis.
          const segments: string[][] = [[]];
          for (const p of pts) {
            if (p === null) segments.push([]);
            else (segments[segments.length - 1] as string[]).push(p);
          }
          return (
            <g key={l.id} data-run={l.id}>
              {segments
                .filter((s) => s.length > 1)
                .map((s, k) => (
                  <polyline key={k} points={s.join(" ")} fill="none" stroke={colorFor(i)} strokeWidth={2} opacity={0.85}>
                    <title>{l.name}</title>
                  </polyline>
                ))}
            </g>
          );
        })}
        {axes.map((a, i) => (
          <g key={a.key} className="axis">
            <line x1={x(i)} x2={x(i)} y1={top} y2={bottom} stroke="currentColor" opacity={0.5} />
            <text x={x(i)} y={14} textAnchor="middle" fontSize={12} fill="currentColor">
              {a.key}
            </text>
            <text x={x(i) + 4} y={top + 4} fontSize={10} fill="currentColor" opacity={0.7}>
              {formatNumber(a.max)}
            </text>
            <text x={x(i) + 4} y={bottom} fontSize={10} fill="currentColor" opacity={0.7}>
              {formatNumber(a.min)}
            </text>
          </g>
        ))}
      </svg>
    </div>
  );
}
