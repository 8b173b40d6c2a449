import { useState } from "react";
import type { KeyValue } from "../api";
import { InlineEdit } from "./InlineEdit";
import { Empty, ErrorBox } from "./Status";

interface Props {
  tags: KeyValue[];
  onSet: (key: string, value: string) => Promise<unknown>;
  onDelete: (key: string) => Promise<unknown>;
}

/** Tags with inline value edits, delete buttons and an add form (keys are shown verbatim). */
export function TagTable({ tags, onSet, onDelete }: Props) {
  const [key, setKey] = useState("");
  const [value, setValue] = useState("");
  const [error, setError] = useState<Error>();
  const run = (fn: () => Promise<unknown>) => {
    setError(undefined);
    return fn().catch((e: unknown) => {
      setError(e as Error);
      throw e;
    });
  };
  return (
    <div className="tags">
      {tags.length > 0 ? (
        <table className="grid kv">
          <tbody>
            {tags.map((t) => (
              <tr key={t.key} data-tag={t.key}>
                <th className="mono">{t.key}</th>
                <td>
                  <InlineEdit label={`tag ${t.key}`} value={t.value} onSave={(v) => onSet(t.key, v)} />
                </td>
                <td className="actions">
                  <button
                    className="ghost small danger"
                    aria-label={`Delete tag ${t.key}`}
                    onClick={() => void run(() => onDelete(t.key)).catch(() => undefined)}
                  >
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <Empty>No tags yet.</Empty>
      )}
      <form
        className="toolbar"
        onSubmit={(e) => {
          e.preventDefault();
          void run(() => onSet(key.trim(), value)).then(
            () => (setKey(""), setValue("")),
            () => undefined,
          );
        }}
      >
        <input placeholder="Tag key" aria-label="New tag key" value={key} onChange={(e) => setKey(e.target.value)} required />
        <input placeholder="Value" aria-label="New tag value" value={value} onChange={(e) => setValue(e.target.value)} />
        <button type="submit">Add tag</button>
      </form>
      {error && <ErrorBox error={error} />}
    </div>
  );
}
