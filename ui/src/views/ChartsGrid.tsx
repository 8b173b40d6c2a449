import { useEffect, useRef, useState, type KeyboardEvent, type PointerEvent } from "react";
import { useLocalStorage } from "../hooks";
import type { XAxis } from "../lib/chartData";
import { CHART_SIZES, SIZE_HEIGHT, cleanKeys, cleanSizes, dropIndex, moveBy, moveItem, sizeOf, withSize, type ChartSize } from "../lib/chartLayout";
import { MetricChart, type ChartSettings } from "../components/MetricChart";
import { Empty } from "../components/Status";
import "./charts-grid.css";

interface Layout {
  /** The charts in order; null until the user arranges them (then the first metrics show). */
  keys: string[] | null;
  /** Width of each chart that is not the default (older layouts have none). */
  sizes?: Record<string, ChartSize>;
  settings: ChartSettings;
  runCount: number;
}

/** A chart being dragged by its handle: where it came from, where it would land. */
interface Drag {
  key: string;
  from: number;
  to: number;
  dx: number;
  dy: number;
  startX: number;
  startY: number;
}

const SIZE_LABEL: Record<ChartSize, string> = { small: "S", medium: "M", large: "L" };

const DEFAULT: Layout = { keys: null, settings: { xAxis: "step", smoothing: 0, log: false }, runCount: 10 };

export function ChartSettingsBar({ settings, onChange }: { settings: ChartSettings; onChange: (s: ChartSettings) => void }) {
  return (
    <>
      <label>
        X axis{" "}
        <select aria-label="X axis" value={settings.xAxis} onChange={(e) => onChange({ ...settings, xAxis: e.target.value as XAxis })}>
          <option value="step">Step</option>
          <option value="wall">Wall time</option>
          <option value="relative">Relative time</option>
        </select>
      </label>
      <label>
        Smoothing{" "}
        <input
          type="range"
          aria-label="Smoothing"
          min={0}
          max={0.99}
          step={0.01}
          value={settings.smoothing}
          onChange={(e) => onChange({ ...settings, smoothing: Number(e.target.value) })}
        />{" "}
        {settings.smoothing.toFixed(2)}
      </label>
      <label>
        <input type="checkbox" aria-label="Log scale" checked={settings.log} onChange={(e) => onChange({ ...settings, log: e.target.checked })} /> Log scale
      </label>
    </>
  );
}

/** A grid of metric charts for an experiment's runs. Charts can be rearranged (drag the
 * handle, the arrow buttons, or Alt+arrow keys on a focused chart) and resized; the layout
 * is remembered per experiment under `storageKey`. */
export function ChartsGrid({ storageKey, runs, metricKeys }: { storageKey: string; runs: { id: string; name: string }[]; metricKeys: string[] }) {
  const [layout, setLayout] = useLocalStorage<Layout>(storageKey, DEFAULT);
  const [adding, setAdding] = useState("");
  const [drag, setDrag] = useState<Drag | null>(null);
  const [focusKey, setFocusKey] = useState<string | null>(null);
  const grid = useRef<HTMLDivElement>(null);
  const saved = cleanKeys(layout.keys);
  const keys = (saved ?? metricKeys.slice(0, 6)).filter((k) => metricKeys.includes(k) || saved !== null);
  const sizes = cleanSizes(layout.sizes);
  const shownRuns = runs.slice(0, layout.runCount);
  const update = (patch: Partial<Layout>) => setLayout({ ...layout, keys, sizes, ...patch });

  // A chart moved from the keyboard keeps the focus (React re-inserts its element).
  useEffect(() => {
    if (focusKey === null) return;
    grid.current?.querySelector<HTMLElement>(`[data-chart-key="${CSS.escape(focusKey)}"]`)?.focus();
    setFocusKey(null);
  }, [focusKey, layout]);

  const move = (key: string, delta: number) => {
    const to = keys.indexOf(key) + delta;
    if (to < 0 || to >= keys.length) return; // already at that end
    update({ keys: moveBy(keys, key, delta) });
    setFocusKey(key);
  };

  const onKeyDown = (key: string, e: KeyboardEvent<HTMLDivElement>) => {
    if (!e.altKey) return;
    const delta = { ArrowLeft: -1, ArrowUp: -1, ArrowRight: 1, ArrowDown: 1 }[e.key];
    if (delta === undefined) return;
    e.preventDefault();
    move(key, delta);
  };

  // Where each cell sits in the grid; the dragged one without the offset it is drawn at.
  const cellRects = (d: Drag) =>
    [...(grid.current?.querySelectorAll<HTMLElement>(":scope > .chart-cell") ?? [])].map((el, i) => {
      const r = el.getBoundingClientRect();
      return i === d.from ? { left: r.left - d.dx, top: r.top - d.dy, width: r.width, height: r.height } : r;
    });

  const onDragStart = (key: string, e: PointerEvent<HTMLButtonElement>) => {
    if (e.button !== 0) return;
    e.preventDefault();
    e.currentTarget.setPointerCapture(e.pointerId);
    const from = keys.indexOf(key);
    setDrag({ key, from, to: from, dx: 0, dy: 0, startX: e.clientX, startY: e.clientY });
  };
  const onDragMove = (e: PointerEvent<HTMLButtonElement>) => {
    if (!drag) return;
    const to = dropIndex(cellRects(drag), e.clientX, e.clientY);
    setDrag({ ...drag, to: to < 0 ? drag.from : to, dx: e.clientX - drag.startX, dy: e.clientY - drag.startY });
  };
  const onDragEnd = (e: PointerEvent<HTMLButtonElement>) => {
    if (!drag) return;
    if (e.type === "pointerup" && drag.to !== drag.from) update({ keys: moveItem(keys, drag.from, drag.to) });
    setDrag(null);
  };

  if (!metricKeys.length) return <Empty>No metrics logged in these runs yet.</Empty>;
  return (
    <div className="charts">
      <div className="toolbar">
        <ChartSettingsBar settings={layout.settings} onChange={(settings) => update({ settings })} />
        <label>
          Runs{" "}
          <select aria-label="Runs charted" value={layout.runCount} onChange={(e) => update({ runCount: Number(e.target.value) })}>
            {[5, 10, 20, 50, 100].map((n) => (
              <option key={n} value={n}>
                first {n}
              </option>
            ))}
          </select>
        </label>
        <span className="spacer" />
        <select aria-label="Add chart" value={adding} onChange={(e) => setAdding(e.target.value)}>
          <option value="">Add a chart…</option>
          {metricKeys
            .filter((k) => !keys.includes(k))
            .map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
        </select>
        <button disabled={!adding} onClick={() => (update({ keys: [...keys, adding] }), setAdding(""))}>
          Add
        </button>
      </div>
      <div className={`chart-grid arranged${drag ? " dragging" : ""}`} ref={grid} aria-describedby="chart-grid-help">
        {keys.map((k, i) => {
          const size = sizeOf(sizes, k);
          const dragged = drag?.key === k;
          const target = drag !== null && !dragged && drag.to === i;
          const tools = (
            <>
              <button
                className="ghost small drag-handle"
                aria-label={`Drag chart ${k}`}
                title="Drag to move"
                onPointerDown={(e) => onDragStart(k, e)}
                onPointerMove={onDragMove}
                onPointerUp={onDragEnd}
                onPointerCancel={onDragEnd}
              >
                ⠿
              </button>
              <button className="ghost small" aria-label={`Move chart ${k} left`} title="Move left (Alt+←)" disabled={i === 0} onClick={() => move(k, -1)}>
                ◀
              </button>
              <button className="ghost small" aria-label={`Move chart ${k} right`} title="Move right (Alt+→)" disabled={i === keys.length - 1} onClick={() => move(k, 1)}>
                ▶
              </button>
              <span className="chart-sizes" role="group" aria-label={`Width of chart ${k}`}>
                {CHART_SIZES.map((s) => (
                  <button
                    key={s}
                    className="ghost small"
                    aria-label={`${s} width`}
                    title={`${s.charAt(0).toUpperCase()}${s.slice(1)} width`}
                    aria-pressed={size === s}
                    onClick={() => update({ sizes: withSize(sizes, k, s) })}
                  >
                    {SIZE_LABEL[s]}
                  </button>
                ))}
              </span>
              <button className="ghost small" aria-label={`Remove chart ${k}`} onClick={() => update({ keys: keys.filter((x) => x !== k) })}>
                ×
              </button>
            </>
          );
          return (
            <div
              key={k}
              className={`chart-cell size-${size}${dragged ? " dragged" : ""}${target ? " drop-target" : ""}`}
              style={dragged ? { transform: `translate(${drag.dx}px, ${drag.dy}px)` } : undefined}
              data-chart-key={k}
              data-size={size}
              tabIndex={0}
              role="group"
              aria-label={`Chart ${k}`}
              onKeyDown={(e) => onKeyDown(k, e)}
            >
              <MetricChart metricKey={k} runs={shownRuns} settings={layout.settings} height={SIZE_HEIGHT[size]} tools={tools} />
            </div>
          );
        })}
      </div>
      <p id="chart-grid-help" className="chart-grid-help">
        Drag a chart by ⠿ to move it, or focus it and press Alt+← / Alt+→.
      </p>
    </div>
  );
}
