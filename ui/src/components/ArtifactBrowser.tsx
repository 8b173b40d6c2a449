import * as api from "../api";
import { useAsync } from "../hooks";
import { parseCsv } from "../lib/csv";
import { formatBytes } from "../lib/format";
import { parentDir, prettyJson, previewKind } from "../lib/preview";
import { hrefFor } from "../lib/route";
import { parseYaml, type Yaml } from "../lib/yamlLite";
import { Empty, ErrorBox, Loading } from "./Status";

const MAX_PREVIEW_BYTES = 2_000_000;

/** `path` is the selected file or directory (from the URL, so previews deep-link). */
export function ArtifactBrowser({ runId, path }: { runId: string; path: string }) {
  // The parent's listing tells whether `path` is a directory (then list it) or a file.
  const parent = useAsync(() => api.listArtifacts(runId, parentDir(path)), [runId, path]);
  const entry = parent.data?.find((f) => f.path === path);
  const isDir = path === "" || Boolean(entry?.is_dir);
  const dir = isDir ? path : parentDir(path);
  const child = useAsync(() => (isDir && path ? api.listArtifacts(runId, path) : Promise.resolve(null)), [runId, path, isDir]);
  const listing = isDir && path ? child : parent;
  const link = (p: string) => hrefFor({ view: "run", runId, tab: "artifacts" }, { path: p || undefined });
  const crumbs = dir ? dir.split("/") : [];
  return (
    <div className="artifacts">
      <nav className="file-list" aria-label="Artifacts">
        <div className="crumbs">
          <a href={link("")}>root</a>
          {crumbs.map((c, i) => (
            <span key={i}>
              {" / "}
              <a href={link(crumbs.slice(0, i + 1).join("/"))}>{c}</a>
            </span>
          ))}
        </div>
        {listing.error && <ErrorBox error={listing.error} />}
        {listing.loading && !listing.data && <Loading />}
        {listing.data && listing.data.length === 0 && <Empty>No artifacts here.</Empty>}
        <ul>
          {listing.data?.map((f) => (
            <li key={f.path} className={f.path === path ? "active" : ""}>
              <a href={link(f.path)} data-artifact={f.path}>
                {f.is_dir ? "📁 " : "📄 "}
                {f.path.split("/").pop()}
              </a>
              {!f.is_dir && <span className="muted"> {formatBytes(f.file_size)}</span>}
            </li>
          ))}
        </ul>
      </nav>
      <div className="preview">
        {/* Keyed by path: a newly chosen file never renders, even briefly, with the previous file's text. */}
        {!isDir && parent.data && (entry ? <Preview key={path} runId={runId} path={path} size={entry.file_size} /> : <Empty>No artifact “{path}”.</Empty>)}
        {isDir && <Empty>Select a file to preview it.</Empty>}
      </div>
    </div>
  );
}

function useText(url: string, enabled: boolean) {
  return useAsync(async () => {
    if (!enabled) return "";
    const res = await fetch(url);
    if (!res.ok) throw new Error(`${res.status}: ${(await res.text()).slice(0, 200)}`);
    return res.text();
  }, [url, enabled]);
}

function Preview({ runId, path, size }: { runId: string; path: string; size?: number }) {
  const kind = previewKind(path);
  const url = api.artifactUrl(runId, path);
  const tooBig = (size ?? 0) > MAX_PREVIEW_BYTES && kind !== "image";
  const text = useText(url, kind !== "image" && kind !== "none" && !tooBig);
  const header = (
    <div className="preview-head">
      <strong className="mono">{path}</strong> <span className="muted">{formatBytes(size)}</span>{" "}
      <a href={url} download={path.split("/").pop()}>
        Download
      </a>
    </div>
  );
  if (kind === "none" || tooBig)
    return (
      <>
        {header}
        <Empty>{tooBig ? "Too large to preview." : "No preview for this file type."}</Empty>
      </>
    );
  if (kind === "image")
    return (
      <>
        {header}
        <img className="artifact-image" src={url} alt={path} />
      </>
    );
  if (text.error) return (<>{header}<ErrorBox error={text.error} /></>);
  if (text.data === undefined) return (<>{header}<Loading /></>);
  const body = text.data;
  return (
    <>
      {header}
      {kind === "html" && <iframe className="artifact-frame" title={path} sandbox="" srcDoc={body} />}
      {kind === "json" && <pre className="code" data-preview="json">{prettyJson(body)}</pre>}
      {kind === "text" && <pre className="code" data-preview="text">{body}</pre>}
      {(kind === "csv" || kind === "tsv") && <CsvTable text={body} delimiter={kind === "csv" ? "," : "\t"} />}
      {kind === "mlmodel" && <ModelCard runId={runId} path={path} text={body} />}
    </>
  );
}

function CsvTable({ text, delimiter }: { text: string; delimiter: string }) {
  const rows = parseCsv(text, 501, delimiter);
  const [head, ...rest] = rows;
  if (!head) return <Empty>Empty file.</Empty>;
  return (
    <div className="table-scroll">
      <table className="grid csv" data-preview="csv">
        <thead>
          <tr>
            {head.map((h, i) => (
              <th key={i}>{h}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rest.map((r, i) => (
            <tr key={i}>
              {r.map((c, j) => (
                <td key={j}>{c}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {rows.length > 500 && <p className="muted">First 500 rows shown.</p>}
    </div>
  );
}

interface Column {
  name?: string;
  type?: string;
  required?: boolean;
  "tensor-spec"?: { dtype?: string; shape?: number[] };
}

function schemaRows(raw: Yaml | undefined): Column[] {
  if (typeof raw !== "string") return [];
  try {
    const parsed: unknown = JSON.parse(raw);
    return Array.isArray(parsed) ? (parsed as Column[]) : [];
  } catch {
    return [];
  }
}

function ModelCard({ runId, path, text }: { runId: string; path: string; text: string }) {
  const y = parseYaml(text);
  const model = (y && typeof y === "object" && !Array.isArray(y) ? y : {}) as Record<string, Yaml>;
  const flavors = (model.flavors ?? {}) as Record<string, Record<string, Yaml>>;
  const signature = (model.signature ?? {}) as Record<string, Yaml>;
  const example = (model.saved_input_example_info ?? null) as Record<string, Yaml> | null;
  const dir = parentDir(path);
  const exampleFile = example && typeof example.artifact_path === "string" ? (dir ? `${dir}/` : "") + example.artifact_path : null;
  const exampleText = useText(exampleFile ? api.artifactUrl(runId, exampleFile) : "", Boolean(exampleFile));
  const schema = (title: string, cols: Column[]) =>
    cols.length > 0 && (
      <>
        <h4>{title}</h4>
        <table className="grid">
          <tbody>
            {cols.map((c, i) => (
              <tr key={i}>
                <th className="mono">{c.name ?? `#${i}`}</th>
                <td>
                  {c.type === "tensor" && c["tensor-spec"] ? `tensor ${c["tensor-spec"].dtype} ${JSON.stringify(c["tensor-spec"].shape)}` : c.type}
                  {c.required === false ? " (optional)" : ""}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </>
    );
  return (
    <div className="model-card" data-preview="mlmodel">
      <h3>Model</h3>
      <dl className="facts">
        {["artifact_path", "model_uuid", "model_id", "mlflow_version", "utc_time_created"].map(
          (k) =>
            model[k] !== undefined &&
            model[k] !== null && (
              <span key={k} className="fact">
                <dt>{k}</dt>
                <dd className="mono">{String(model[k])}</dd>
              </span>
            ),
        )}
      </dl>
      <h4>Flavors</h4>
      <ul className="flavors">
        {Object.entries(flavors).map(([name, props]) => (
          <li key={name}>
            <strong>{name}</strong>{" "}
            <span className="muted">
              {Object.entries(props ?? {})
                .filter(([, v]) => typeof v !== "object" || v === null)
                .map(([k, v]) => `${k}: ${String(v)}`)
                .join(" · ")}
            </span>
          </li>
        ))}
      </ul>
      {schema("Signature inputs", schemaRows(signature.inputs))}
      {schema("Signature outputs", schemaRows(signature.outputs))}
      {exampleFile && (
        <>
          <h4>Input example</h4>
          {exampleText.data ? <pre className="code">{prettyJson(exampleText.data)}</pre> : exampleText.error ? <ErrorBox error={exampleText.error} /> : <Loading />}
        </>
      )}
      <details>
        <summary>MLmodel file</summary>
        <pre className="code">{text}</pre>
      </details>
    </div>
  );
}
