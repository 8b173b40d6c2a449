import { useEffect, useState } from "react";
import * as api from "../api";

/** A tiny inline SVG of a metric's history (downsampled by the server). */
export function Sparkline({ runId, metricKey }: { runId: string; metricKey: string }) {
  const [pts, setPts] = useState<number[] | null>(null);
  useEffect(() => {
    let live = true;
    api
      .metricHistory([runId], metricKey, 100)
      .then((ms) => live && setPts(ms.sort((a, b) => a.step - b.step).map((m) => m.value).filter(Number.isFinite)))
      .catch(() => live && setPts([]));
    return () => {
      live = false;
    };
  }, [runId, metricKey]);
  if (!pts || pts.length < 2) return <span className="sparkline empty" />;
  const w = 120;
  const h = 24;
  const lo = Math.min(...pts);
  const hi = Math.max(...pts);
  const span = hi - lo || 1;
  const d = pts.map((v, i) => `${i ? "L" : "M"}${((i / (pts.length - 1)) * w).toFixed(1)},${(h - 2 - ((v - lo) / span) * (h - 4)).toFixed(1)}`).join("");
  return (
    <svg className="sparkline" width={w} height={h} viewBox={`0 0 ${w} ${h}`} aria-label={`${metricKey} history`}>
      <path d={d} fill="none" stroke="currentColor" strokeWidth="1.2" />
    </svg>
  );
}
