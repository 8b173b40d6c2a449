import { useState } from "react";
import * as api from "../api";
import { useAsync } from "../hooks";
import { quote } from "../lib/filter";
import { formatTime } from "../lib/format";
import { hrefFor } from "../lib/route";
import { InlineEdit } from "../components/InlineEdit";
import { Empty, ErrorBox, Loading } from "../components/Status";

function nameFilter(text: string): string {
  const t = text.trim();
  return t ? `name LIKE ${quote(`%${t}%`)}` : "";
}

export function ExperimentsView({ query }: { query: URLSearchParams }) {
  const [search, setSearch] = useState(query.get("q") ?? "");
  const [viewType, setViewType] = useState<api.ViewType>("ACTIVE_ONLY");
  const [newName, setNewName] = useState("");
  const [actionError, setActionError] = useState<Error>();
  const experiments = useAsync(() => api.searchExperiments(nameFilter(search), viewType), [search, viewType]);

  const act = async (fn: () => Promise<unknown>) => {
    setActionError(undefined);
    try {
      await fn();
      experiments.reload();
    } catch (e) {
      setActionError(e as Error);
      throw e;
    }
  };

  return (
    <section className="page">
      <h1>Experiments</h1>
      <div className="toolbar">
        <input
          type="search"
          placeholder="Search experiments by name"
          aria-label="Search experiments"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
        />
        <select aria-label="Lifecycle" value={viewType} onChange={(e) => setViewType(e.target.value as api.ViewType)}>
          <option value="ACTIVE_ONLY">Active</option>
          <option value="DELETED_ONLY">Deleted</option>
          <option value="ALL">All</option>
        </select>
        <span className="spacer" />
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (newName.trim()) void act(() => api.createExperiment(newName.trim())).then(() => setNewName(""), () => undefined);
          }}
        >
          <input placeholder="New experiment name" aria-label="New experiment name" value={newName} onChange={(e) => setNewName(e.target.value)} />
          <button type="submit">Create</button>
        </form>
      </div>
      {actionError && <ErrorBox error={actionError} />}
      {experiments.error && <ErrorBox error={experiments.error} onRetry={experiments.reload} />}
      {experiments.loading && !experiments.data && <Loading what="experiments" />}
      {experiments.data && experiments.data.length === 0 && (
        <Empty>{search ? `No experiment matches “${search}”.` : "No experiments yet: create one above or log a run."}</Empty>
      )}
      {experiments.data && experiments.data.length > 0 && (
        <table className="grid experiments">
          <thead>
            <tr>
              <th>Name</th>
              <th>ID</th>
              <th>Created</th>
              <th>Last update</th>
              <th>State</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {experiments.data.map((e) => (
              <tr key={e.experiment_id} data-experiment-id={e.experiment_id}>
                <td>
                  <InlineEdit
                    label={`name of ${e.name}`}
                    value={e.name}
                    display={<a href={hrefFor({ view: "runs", experimentId: e.experiment_id, tab: "runs" })}>{e.name}</a>}
                    onSave={(name) => act(() => api.renameExperiment(e.experiment_id, name))}
                  />
                </td>
                <td className="mono">{e.experiment_id}</td>
                <td>{formatTime(e.creation_time)}</td>
                <td>{formatTime(e.last_update_time)}</td>
                <td>{e.lifecycle_stage}</td>
                <td>
                  {e.lifecycle_stage === "active" ? (
                    <button className="ghost small danger" onClick={() => void act(() => api.deleteExperiment(e.experiment_id)).catch(() => undefined)}>
                      Delete
                    </button>
                  ) : (
                    <button className="ghost small" onClick={() => void act(() => api.restoreExperiment(e.experiment_id)).catch(() => undefined)}>
                      Restore
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
