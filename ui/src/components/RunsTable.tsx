import { memo, useEffect, useRef, useState } from "react";
import { parseColumnId, searchKey, type ColumnId } from "../lib/columns";
import { formatDuration, formatNumber, formatTime } from "../lib/format";
import { hrefFor } from "../lib/route";
import type { RunRow } from "../lib/runRow";
import type { TreeNode } from "../lib/runTree";
import { visibleRange } from "../lib/virtual";

export const ROW_HEIGHT = 32;
export const FIRST_ROWS_MARK = "mltrail:first-rows";

interface Fixed {
  id: string;
  title: string;
  width: number;
  sortKey?: string;
  cell: (r: RunRow) => React.ReactNode;
}

const FIXED: Fixed[] = [
  { id: "status", title: "Status", width: 96, sortKey: "attributes.status", cell: (r) => <span className={`status ${r.status.toLowerCase()}`}>{r.status}</span> },
  { id: "start", title: "Created", width: 160, sortKey: "attributes.start_time", cell: (r) => formatTime(r.start) },
  { id: "duration", title: "Duration", width: 90, cell: (r) => (r.start ? formatDuration((r.end ?? (r.status === "RUNNING" ? Date.now() : r.start)) - r.start) : "") },
  { id: "user", title: "User", width: 100, sortKey: "attributes.user_id", cell: (r) => r.user },
  { id: "source", title: "Source", width: 140, cell: (r) => r.source.split("/").pop() },
  { id: "models", title: "Models", width: 70, cell: (r) => (r.models ? `${r.models} model${r.models > 1 ? "s" : ""}` : "") },
];

interface Props {
  nodes: TreeNode<RunRow>[];
  columns: ColumnId[];
  order: { column: string; ascending: boolean } | null;
  onSort: (column: string) => void;
  selected: ReadonlySet<string>;
  onSelect: (id: string, on: boolean) => void;
  onSelectAll: (on: boolean) => void;
  expanded: ReadonlySet<string>;
  onExpand: (id: string) => void;
}

/** A virtualized grid: only the rows in (and just around) the viewport exist in the DOM. */
export function RunsTable(props: Props) {
  const { nodes, columns, order, onSort, selected, onSelectAll } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const [view, setView] = useState({ top: 0, height: 600 });
  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    let frame = 0;
    const update = () => {
      frame = 0;
      setView({ top: el.scrollTop, height: el.clientHeight });
    };
    const onScroll = () => {
      if (!frame) frame = requestAnimationFrame(update);
    };
    update();
    el.addEventListener("scroll", onScroll, { passive: true });
    const ro = new ResizeObserver(update);
    ro.observe(el);
    return () => {
      el.removeEventListener("scroll", onScroll);
      ro.disconnect();
      if (frame) cancelAnimationFrame(frame);
    };
  }, []);

  // For benchmarks and tests: when the first rows reached the page after navigation.
  useEffect(() => {
    if (nodes.length && !performance.getEntriesByName(FIRST_ROWS_MARK).length) performance.mark(FIRST_ROWS_MARK);
  }, [nodes.length]);

  const template = ["36px", "260px", ...FIXED.map((f) => `${f.width}px`), ...columns.map(() => "120px")].join(" ");
  const { start, end } = visibleRange(view.top, view.height, ROW_HEIGHT, nodes.length);
  const arrow = (key: string | undefined) => (key && order?.column === key ? (order.ascending ? " ▲" : " ▼") : "");
  const header = (key: string | undefined, title: string, id: string, kind?: string) => (
    <div
      key={id}
      className={`th${key ? " sortable" : ""}`}
      role="columnheader"
      data-column={id}
      aria-sort={key && order?.column === key ? (order.ascending ? "ascending" : "descending") : "none"}
      tabIndex={key ? 0 : undefined}
      onClick={key ? () => onSort(key) : undefined}
      onKeyDown={key ? (e) => e.key === "Enter" && onSort(key) : undefined}
      title={kind ? id : title}
    >
      {kind && <span className={`kind ${kind}`}>{kind[0]}</span>}
      {title}
      {arrow(key)}
    </div>
  );
  const allSelected = nodes.length > 0 && nodes.every((n) => selected.has(n.item.id));

  return (
    <div className="runs-table" role="grid" aria-rowcount={nodes.length} ref={scroller}>
      <div className="tr thead" style={{ gridTemplateColumns: template }} role="row">
        <div className="th">
          <input type="checkbox" aria-label="Select all runs" checked={allSelected} onChange={(e) => onSelectAll(e.target.checked)} />
        </div>
        {header("attributes.run_name", "Run", "name")}
        {FIXED.map((f) => header(f.sortKey, f.title, f.id))}
        {columns.map((c) => header(searchKey(c), parseColumnId(c)?.key ?? c, c, parseColumnId(c)?.kind))}
      </div>
      <div className="tbody" style={{ height: nodes.length * ROW_HEIGHT }}>
        {nodes.slice(start, end).map((node, i) => (
          <Row key={node.item.id} {...props} node={node} index={start + i} template={template} />
        ))}
      </div>
    </div>
  );
}

interface RowProps extends Props {
  node: TreeNode<RunRow>;
  index: number;
  template: string;
}

const Row = memo(function Row({ node, index, template, columns, selected, onSelect, expanded, onExpand }: RowProps) {
  const r = node.item;
  return (
    <div
      className={`tr${selected.has(r.id) ? " selected" : ""}${r.lifecycle === "deleted" ? " deleted" : ""}`}
      role="row"
      aria-rowindex={index + 1}
      data-run-id={r.id}
      style={{ gridTemplateColumns: template, transform: `translateY(${index * ROW_HEIGHT}px)` }}
    >
      <div className="td">
        <input type="checkbox" aria-label={`Select ${r.name}`} checked={selected.has(r.id)} onChange={(e) => onSelect(r.id, e.target.checked)} />
      </div>
      <div className="td name" style={{ paddingLeft: 8 + node.depth * 18 }}>
        {node.childCount > 0 ? (
          <button className="twisty" aria-label={`${expanded.has(r.id) ? "Collapse" : "Expand"} ${r.name}`} aria-expanded={expanded.has(r.id)} onClick={() => onExpand(r.id)}>
            {expanded.has(r.id) ? "▾" : "▸"} <span className="count">{node.childCount}</span>
          </button>
        ) : (
          <span className="twisty-space" />
        )}
        <a href={hrefFor({ view: "run", runId: r.id, tab: "overview" })}>{r.name}</a>
      </div>
      {FIXED.map((f) => (
        <div key={f.id} className="td">
          {f.cell(r)}
        </div>
      ))}
      {columns.map((c) => {
        const parsed = parseColumnId(c);
        const v = parsed ? r[parsed.kind][parsed.key] : undefined;
        return (
          <div key={c} className={`td${parsed?.kind === "metrics" ? " num" : ""}`} data-column={c}>
            {typeof v === "number" ? formatNumber(v) : v ?? ""}
          </div>
        );
      })}
    </div>
  );
});
