import { useEffect, useRef, useState } from "react";
import { completeKeys, type Completion } from "../lib/autocomplete";

interface Props {
  value: string;
  keys: readonly string[];
  onApply: (filter: string) => void;
}

/** Mount with `key={value}` so an applied filter from the URL resets the draft.
 * The search-grammar filter, with key completion (Tab or click to accept). Enter applies. */
export function FilterBox({ value, keys, onApply }: Props) {
  const [text, setText] = useState(value);
  const [items, setItems] = useState<Completion[]>([]);
  const [active, setActive] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  // Keyboard: "/" anywhere (outside a text field) jumps to the filter.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      if (e.key !== "/" || target?.closest("input, textarea, select")) return;
      e.preventDefault();
      input.current?.focus();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  const suggest = (t: string, cursor: number) => {
    setItems(completeKeys(t, cursor, keys));
    setActive(0);
  };
  const accept = (c: Completion) => {
    setText(c.text);
    setItems([]);
    requestAnimationFrame(() => {
      input.current?.focus();
      input.current?.setSelectionRange(c.cursor, c.cursor);
    });
  };
  return (
    <div className="filter-box">
      <input
        ref={input}
        className="mono"
        type="search"
        aria-label="Filter runs"
        placeholder="Filter (press /): metrics.loss < 0.5 and params.lr = '0.01'"
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          suggest(e.target.value, e.target.selectionStart ?? e.target.value.length);
        }}
        onKeyDown={(e) => {
          const chosen = items[active];
          if (e.key === "Enter") {
            e.preventDefault();
            setItems([]);
            onApply(text.trim());
          } else if (e.key === "Tab" && chosen) {
            e.preventDefault();
            accept(chosen);
          } else if (e.key === "ArrowDown" && items.length) {
            e.preventDefault();
            setActive((active + 1) % items.length);
          } else if (e.key === "ArrowUp" && items.length) {
            e.preventDefault();
            setActive((active - 1 + items.length) % items.length);
          } else if (e.key === "Escape") setItems([]);
        }}
        onBlur={() => window.setTimeout(() => setItems([]), 150)}
      />
      <button onClick={() => onApply(text.trim())}>Apply</button>
      {value && (
        <button className="ghost" onClick={() => onApply("")}>
          Clear
        </button>
      )}
      {items.length > 0 && (
        <ul className="completions" role="listbox">
          {items.map((c, i) => (
            <li key={c.label} role="option" aria-selected={i === active} onMouseDown={(e) => (e.preventDefault(), accept(c))}>
              {c.label}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
