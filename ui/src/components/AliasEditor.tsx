import { useState } from "react";
import { AliasChip } from "./RegistryBits";
import { ErrorBox } from "./Status";

interface Props {
  name: string;
  aliases: { alias: string; version: string }[];
  /** The versions an alias may point at; one fixed version on a version's page. */
  versions: string[];
  onSet: (alias: string, version: string) => Promise<unknown>;
  onDelete: (alias: string) => Promise<unknown>;
}

/** Aliases as removable chips, plus a form to point an alias (new or moved) at a version. */
export function AliasEditor({ name, aliases, versions, onSet, onDelete }: Props) {
  const [alias, setAlias] = useState("");
  const [version, setVersion] = useState(versions[0] ?? "");
  const [error, setError] = useState<Error>();
  const run = (fn: () => Promise<unknown>) => {
    setError(undefined);
    return fn().catch((e: unknown) => {
      setError(e as Error);
      throw e;
    });
  };
  const target = versions.includes(version) ? version : (versions[0] ?? "");
  return (
    <div className="aliases">
      <div className="alias-list">
        {aliases.length === 0 && <span className="muted">No aliases.</span>}
        {aliases.map((a) => (
          <span key={a.alias} className="alias-item" data-alias={a.alias}>
            <AliasChip alias={a.alias} version={a.version} name={name} />
            <button className="ghost small danger" aria-label={`Delete alias ${a.alias}`} onClick={() => void run(() => onDelete(a.alias)).catch(() => undefined)}>
              ×
            </button>
          </span>
        ))}
      </div>
      {versions.length > 0 && (
        <form
          className="toolbar"
          onSubmit={(e) => {
            e.preventDefault();
            void run(() => onSet(alias.trim(), target)).then(() => setAlias(""), () => undefined);
          }}
        >
          <input placeholder="alias, e.g. champion" aria-label="New alias" value={alias} onChange={(e) => setAlias(e.target.value)} required />
          {versions.length > 1 && (
            <select aria-label="Alias version" value={target} onChange={(e) => setVersion(e.target.value)}>
              {versions.map((v) => (
                <option key={v} value={v}>
                  version {v}
                </option>
              ))}
            </select>
          )}
          <button type="submit">Set alias</button>
        </form>
      )}
      {error && <ErrorBox error={error} />}
    </div>
  );
}
