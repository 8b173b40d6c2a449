import { useState } from "react";
import { toggleColumn, type ColumnId } from "../lib/columns";

interface Props {
  keys: { metrics: string[]; params: string[]; tags: string[] };
  columns: ColumnId[];
  onChange: (cols: ColumnId[]) => void;
  onClose: () => void;
}

export function ColumnPicker({ keys, columns, onChange, onClose }: Props) {
  const [q, setQ] = useState("");
  const groups = (["metrics", "params", "tags"] as const).map((kind) => ({
    kind,
    ids: keys[kind].filter((k) => k.toLowerCase().includes(q.toLowerCase())).map((k): ColumnId => `${kind}.${k}`),
  }));
  return (
    <div className="popover column-picker" role="dialog" aria-label="Choose columns">
      <div className="toolbar">
        <input autoFocus placeholder="Find a column" aria-label="Find a column" value={q} onChange={(e) => setQ(e.target.value)} />
        <button className="ghost" onClick={() => onChange([])}>
          None
        </button>
        <button onClick={onClose}>Done</button>
      </div>
      <div className="groups">
        {groups.map((g) => (
          <fieldset key={g.kind}>
            <legend>
              {g.kind} ({g.ids.length})
            </legend>
            {g.ids.slice(0, 300).map((id) => (
              <label key={id}>
                <input type="checkbox" checked={columns.includes(id)} onChange={() => onChange(toggleColumn(columns, id))} />
                {id.slice(g.kind.length + 1)}
              </label>
            ))}
            {g.ids.length > 300 && <em>…{g.ids.length - 300} more, narrow the search</em>}
          </fieldset>
        ))}
      </div>
    </div>
  );
}
