import * as api from "../api";
import { useAsync } from "../hooks";
import { formatTime } from "../lib/format";
import { renderMarkdown } from "../lib/markdown";
import { quote } from "../lib/filter";
import { byVersionDesc, summary } from "../lib/registry";
import { hrefFor, navigate } from "../lib/route";
import { AliasEditor } from "../components/AliasEditor";
import { ConfirmButton } from "../components/ConfirmButton";
import { InlineEdit } from "../components/InlineEdit";
import { StageBadge } from "../components/RegistryBits";
import { Empty, ErrorBox, Loading } from "../components/Status";
import { TagTable } from "../components/TagTable";
import "./registry.css";

/** A registered model: description, aliases, tags and its versions; rename and delete. */
export function ModelView({ name }: { name: string }) {
  const model = useAsync(() => api.getRegisteredModel(name), [name]);
  const versions = useAsync(() => api.allModelVersions(`name = ${quote(name)}`), [name]);
  if (model.error) return <RegistryError error={model.error} what={`registered model “${name}”`} onRetry={model.reload} />;
  if (!model.data) return <Loading what="model" />;
  const m = model.data;
  const edit = (fn: () => Promise<unknown>) =>
    fn().then(() => {
      model.reload();
      versions.reload();
    });
  const sorted = [...(versions.data ?? [])].sort(byVersionDesc);
  const aliasesOf = (v: string) => (m.aliases ?? []).filter((a) => a.version === v).map((a) => a.alias);
  return (
    <section className="page registry model-page">
      <div className="crumbs">
        <a href={hrefFor({ view: "models" })}>Models</a> /
      </div>
      <div className="title-row">
        <h1>
          <InlineEdit
            label="model name"
            value={m.name}
            onSave={(v) =>
              api.renameRegisteredModel(name, v.trim()).then((r) => {
                navigate({ view: "model", name: r.name });
              })
            }
          />
        </h1>
        <span className="spacer" />
        <ConfirmButton
          label="Delete model"
          question={
            <>
              Delete “{m.name}” and its {sorted.length} version{sorted.length === 1 ? "" : "s"}?
            </>
          }
          onConfirm={() => api.deleteRegisteredModel(name).then(() => navigate({ view: "models" }))}
        />
      </div>
      <dl className="facts">
        <dt>Created</dt>
        <dd>{formatTime(m.creation_timestamp)}</dd>
        <dt>Last modified</dt>
        <dd>{formatTime(m.last_updated_timestamp)}</dd>
        {m.user_id && (
          <>
            <dt>Owner</dt>
            <dd>{m.user_id}</dd>
          </>
        )}
      </dl>
      <h2>Description</h2>
      <Description value={m.description ?? ""} onSave={(v) => edit(() => api.updateRegisteredModel(name, v))} />
      <h2>Aliases</h2>
      <AliasEditor
        name={name}
        aliases={m.aliases ?? []}
        versions={sorted.map((v) => v.version)}
        onSet={(alias, version) => edit(() => api.setModelAlias(name, alias, version))}
        onDelete={(alias) => edit(() => api.deleteModelAlias(name, alias))}
      />
      <h2>Tags</h2>
      <TagTable
        tags={m.tags ?? []}
        onSet={(k, v) => edit(() => api.setRegisteredModelTag(name, k, v))}
        onDelete={(k) => edit(() => api.deleteRegisteredModelTag(name, k))}
      />
      <h2>
        Versions <span className="count">{versions.data ? sorted.length : ""}</span>
      </h2>
      {versions.error && <ErrorBox error={versions.error} onRetry={versions.reload} />}
      {versions.loading && !versions.data && <Loading what="versions" />}
      {versions.data && sorted.length === 0 && (
        <Empty>
          No versions yet. Register one from a run: <code>mltrail.register_model("runs:/&lt;run_id&gt;/model", {JSON.stringify(name)})</code>
        </Empty>
      )}
      {sorted.length > 0 && (
        <table className="grid versions">
          <thead>
            <tr>
              <th>Version</th>
              <th>Stage</th>
              <th>Aliases</th>
              <th>Created</th>
              <th>Source run</th>
              <th>Status</th>
              <th>Description</th>
            </tr>
          </thead>
          <tbody>
            {sorted.map((v) => (
              <tr key={v.version} data-version={v.version}>
                <td>
                  <a href={hrefFor({ view: "modelVersion", name, version: v.version })}>Version {v.version}</a>
                </td>
                <td>
                  <StageBadge stage={v.current_stage} />
                </td>
                <td>
                  {aliasesOf(v.version).map((a) => (
                    <span key={a} className="chip alias">
                      @{a}
                    </span>
                  ))}
                </td>
                <td>{formatTime(v.creation_timestamp)}</td>
                <td>{v.run_id ? <a className="mono" href={hrefFor({ view: "run", runId: v.run_id, tab: "overview" })}>{v.run_id.slice(0, 12)}</a> : <span className="muted">—</span>}</td>
                <td>
                  <VersionStatus version={v} />
                </td>
                <td className="muted one-line">{summary(v.description)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function Description({ value, onSave }: { value: string; onSave: (v: string) => Promise<unknown> }) {
  return (
    <div className="description">
      <InlineEdit
        label="description"
        multiline
        value={value}
        display={value ? <div className="markdown" dangerouslySetInnerHTML={{ __html: renderMarkdown(value) }} /> : <em className="muted">No description.</em>}
        onSave={onSave}
      />
    </div>
  );
}

export function VersionStatus({ version }: { version: api.ModelVersion }) {
  const status = version.status ?? "READY";
  return (
    <span className={`status ${status === "READY" ? "finished" : status === "FAILED_REGISTRATION" ? "failed" : "running"}`} title={version.status_message}>
      {status}
    </span>
  );
}

/** A missing model or version gets a plain answer and a way back, not a stack of errors. */
export function RegistryError({ error, what, onRetry }: { error: Error; what: string; onRetry: () => void }) {
  if (error instanceof api.ApiError && error.code === "RESOURCE_DOES_NOT_EXIST") {
    return (
      <section className="page registry">
        <Empty>
          <p>
            There is no {what}. It may have been renamed or deleted.
          </p>
          <a href={hrefFor({ view: "models" })}>Back to all models</a>
        </Empty>
      </section>
    );
  }
  return <ErrorBox error={error} onRetry={onRetry} />;
}
