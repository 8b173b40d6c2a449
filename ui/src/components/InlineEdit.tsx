import { useState } from "react";

interface Props {
  value: string;
  onSave: (value: string) => Promise<unknown>;
  multiline?: boolean;
  label: string;
  /** How the value shows when not editing (defaults to the raw text). */
  display?: React.ReactNode;
}

/** Show a value with an Edit button; Enter (Ctrl+Enter when multiline) saves, Escape cancels. */
export function InlineEdit({ value, onSave, multiline, label, display }: Props) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(value);
  const [error, setError] = useState<string>();
  const [saving, setSaving] = useState(false);

  const save = async () => {
    setSaving(true);
    setError(undefined);
    try {
      await onSave(draft);
      setEditing(false);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setSaving(false);
    }
  };
  if (!editing) {
    return (
      <span className="inline-edit">
        {display ?? <span>{value}</span>}
        <button
          className="ghost small"
          aria-label={`Edit ${label}`}
          onClick={() => {
            setDraft(value);
            setEditing(true);
          }}
        >
          Edit
        </button>
      </span>
    );
  }
  const onKeyDown = (e: React.KeyboardEvent) => {
    if (e.key === "Escape") setEditing(false);
    if (e.key === "Enter" && (!multiline || e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      void save();
    }
  };
  return (
    <span className="inline-edit editing">
      {multiline ? (
        <textarea aria-label={label} value={draft} rows={6} onChange={(e) => setDraft(e.target.value)} onKeyDown={onKeyDown} autoFocus />
      ) : (
        <input aria-label={label} value={draft} onChange={(e) => setDraft(e.target.value)} onKeyDown={onKeyDown} autoFocus />
      )}
      <button onClick={() => void save()} disabled={saving}>
        Save
      </button>
      <button className="ghost" onClick={() => setEditing(false)}>
        Cancel
      </button>
      {error && <span className="error-text">{error}</span>}
    </span>
  );
}
