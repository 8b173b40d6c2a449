import { useEffect, useRef, useState } from "react";
import * as api from "../api";
import { useAsync } from "../hooks";
import { formatTime } from "../lib/format";
import { MODEL_SORTS, modelSearchFilter, parseSort, summary, toggleSort } from "../lib/registry";
import { hrefFor, navigate } from "../lib/route";
import { AliasChip, LatestVersions, TagChips } from "../components/RegistryBits";
import { Empty, ErrorBox, Loading } from "../components/Status";
import "./registry.css";

const PAGE_SIZES = [25, 50, 100] as const;

/** The registered models list: search (`q`) and sort (`order`) live in the URL; pages are
 * walked with the server's page tokens (a stack of them, so "Previous" needs no refetch of all). */
export function ModelsView({ query }: { query: URLSearchParams }) {
  const q = query.get("q") ?? "";
  const order = parseSort(query.get("order"));
  const [draft, setDraft] = useState(q);
  const [pageSize, setPageSize] = useState<number>(PAGE_SIZES[0]);
  const [tokens, setTokens] = useState<(string | undefined)[]>([undefined]);
  const token = tokens[tokens.length - 1];
  const models = useAsync(
    () => api.searchRegisteredModels({ filter: modelSearchFilter(q), orderBy: [order], maxResults: pageSize, pageToken: token }),
    [q, order, pageSize, token],
  );
  const search = useRef<HTMLInputElement>(null);
  useFocusKey("/", search);

  const go = (next: { q?: string; order?: string }) => {
    setTokens([undefined]);
    const merged = { q, order, ...next };
    navigate({ view: "models" }, { q: merged.q || undefined, order: merged.order === MODEL_SORTS[0].value ? undefined : merged.order });
  };
  const sortHeader = (column: "name" | "last_updated_timestamp", label: string) => {
    const [col, dir] = order.split(" ");
    const active = col === column;
    return (
      <th aria-sort={active ? (dir === "ASC" ? "ascending" : "descending") : "none"}>
        <button className="sort" onClick={() => go({ order: toggleSort(order, column) })}>
          {label} {active ? (dir === "ASC" ? "▲" : "▼") : ""}
        </button>
      </th>
    );
  };
  const items = models.data?.items ?? [];
  return (
    <section className="page registry">
      <h1>Registered models</h1>
      <div className="toolbar">
        <form
          className="model-search"
          onSubmit={(e) => {
            e.preventDefault();
            go({ q: draft.trim() });
          }}
        >
          <input
            ref={search}
            type="search"
            className="mono"
            aria-label="Search models"
            placeholder="Search by name, or a filter: name LIKE '%fraud%' (press /)"
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
          />
          <button type="submit">Search</button>
          {q && (
            <button type="button" className="ghost" onClick={() => (setDraft(""), go({ q: "" }))}>
              Clear
            </button>
          )}
        </form>
        <select aria-label="Sort models" value={order} onChange={(e) => go({ order: e.target.value })}>
          {MODEL_SORTS.map((s) => (
            <option key={s.value} value={s.value}>
              {s.label}
            </option>
          ))}
        </select>
        <span className="spacer" />
        <CreateModel />
      </div>
      {models.error && <ErrorBox error={models.error} onRetry={models.reload} />}
      {models.loading && !models.data && <Loading what="models" />}
      {models.data && items.length === 0 && (
        <Empty>
          {q ? (
            <>No registered model matches “{q}”.</>
          ) : (
            <>
              No registered models yet. Create one above, or register a logged model:{" "}
              <code>mltrail.register_model("runs:/&lt;run_id&gt;/model", "my-model")</code>
            </>
          )}
        </Empty>
      )}
      {items.length > 0 && (
        <table className={`grid models${models.loading ? " stale" : ""}`}>
          <thead>
            <tr>
              {sortHeader("name", "Name")}
              <th>Latest versions</th>
              <th>Aliases</th>
              <th>Tags</th>
              {sortHeader("last_updated_timestamp", "Last modified")}
            </tr>
          </thead>
          <tbody>
            {items.map((m) => (
              <tr key={m.name} data-model={m.name}>
                <td>
                  <a className="model-name" href={hrefFor({ view: "model", name: m.name })}>
                    {m.name}
                  </a>
                  {m.description && <div className="muted one-line summary">{summary(m.description)}</div>}
                </td>
                <td>
                  <LatestVersions versions={m.latest_versions ?? []} />
                </td>
                <td>
                  {(m.aliases ?? []).map((a) => (
                    <AliasChip key={a.alias} alias={a.alias} version={a.version} name={m.name} />
                  ))}
                </td>
                <td>
                  <TagChips tags={m.tags} />
                </td>
                <td>{formatTime(m.last_updated_timestamp)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {(tokens.length > 1 || models.data?.next_page_token) && (
        <div className="toolbar pager">
          <button className="ghost" disabled={tokens.length <= 1} onClick={() => setTokens(tokens.slice(0, -1))}>
            ← Previous
          </button>
          <span className="muted">Page {tokens.length}</span>
          <button className="ghost" disabled={!models.data?.next_page_token} onClick={() => setTokens([...tokens, models.data?.next_page_token])}>
            Next →
          </button>
          <select
            aria-label="Models per page"
            value={pageSize}
            onChange={(e) => {
              setTokens([undefined]);
              setPageSize(Number(e.target.value));
            }}
          >
            {PAGE_SIZES.map((n) => (
              <option key={n} value={n}>
                {n} per page
              </option>
            ))}
          </select>
        </div>
      )}
    </section>
  );
}

function CreateModel() {
  const [name, setName] = useState("");
  const [error, setError] = useState<Error>();
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        setError(undefined);
        const wanted = name.trim();
        if (!wanted) return;
        api.createRegisteredModel(wanted).then(
          (m) => navigate({ view: "model", name: m.name }),
          (err: unknown) => setError(err as Error),
        );
      }}
    >
      <input placeholder="New model name" aria-label="New model name" value={name} onChange={(e) => setName(e.target.value)} />
      <button type="submit">Create model</button>
      {error && <span className="error-text">{error.message}</span>}
    </form>
  );
}

/** A key pressed outside a text field focuses `target` (the page's search box). */
export function useFocusKey(key: string, target: React.RefObject<HTMLElement | null>) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const el = e.target as HTMLElement | null;
      if (e.key !== key || e.ctrlKey || e.metaKey || el?.closest("input, textarea, select")) return;
      e.preventDefault();
      target.current?.focus();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [key, target]);
}
