import { formatNumber } from "../lib/format";
import { colorFor } from "../lib/palette";

interface Point {
  id: string;
  name: string;
  x: number;
  y: number;
}

/** A small SVG scatter plot: few points (one per run), so no canvas is needed. */
export function Scatter({ points, xLabel, yLabel }: { points: Point[]; xLabel: string; yLabel: string }) {
  const W = 520;
  const H = 320;
  const pad = 48;
  if (!points.length) return <p className="muted">No run has numeric values for both.</p>;
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  const sx = (x: number) => pad + ((x - x0) / (x1 - x0 || 1)) * (W - 2 * pad);
  const sy = (y: number) => H - pad - ((y - y0) / (y1 - y0 || 1)) * (H - 2 * pad);
  return (
    <svg className="scatter" width={W} height={H} viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${yLabel} against ${xLabel}`}>
      <line x1={pad} y1={H - pad} x2={W - pad} y2={H - pad} stroke="currentColor" opacity={0.4} />
      <line x1={pad} y1={pad} x2={pad} y2={H - pad} stroke="currentColor" opacity={0.4} />
      <text x={W / 2} y={H - 10} textAnchor="middle" fontSize={12} fill="currentColor">{xLabel}</text>
      <text x={12} y={H / 2} textAnchor="middle" fontSize={12} fill="currentColor" transform={`rotate(-90 12 ${H / 2})`}>{yLabel}</text>
      <text x={pad} y={H - pad + 16} fontSize={11} fill="currentColor">{formatNumber(x0)}</text>
      <text x={W - pad} y={H - pad + 16} fontSize={11} textAnchor="end" fill="currentColor">{formatNumber(x1)}</text>
      <text x={pad - 4} y={H - pad} fontSize={11} textAnchor="end" fill="currentColor">{formatNumber(y0)}</text>
      <text x={pad - 4} y={pad + 4} fontSize={11} textAnchor="end" fill="currentColor">{formatNumber(y1)}</text>
      {points.map((p, i) => (
        <circle key={p.id} cx={sx(p.x)} cy={sy(p.y)} r={5} fill={colorFor(i)}>
          <title>{`${p.name}: ${formatNumber(p.x)}, ${formatNumber(p.y)}`}</title>
        </circle>
      ))}
    </svg>
  );
}
