import { useState } from "react";
import * as api from "../api";
import { useAsync } from "../hooks";
import { formatTime } from "../lib/format";
import { canArchiveExisting, runArtifactPath } from "../lib/registry";
import { hrefFor, navigate } from "../lib/route";
import { AliasEditor } from "../components/AliasEditor";
import { ArtifactBrowser } from "../components/ArtifactBrowser";
import { ConfirmButton } from "../components/ConfirmButton";
import { StageBadge } from "../components/RegistryBits";
import { ErrorBox, Loading } from "../components/Status";
import { TagTable } from "../components/TagTable";
import { Description, RegistryError, VersionStatus } from "./ModelView";
import "./registry.css";

/** One model version: stage transitions, description, tags, aliases, its source and MLmodel. */
export function ModelVersionView({ name, version }: { name: string; version: string }) {
  const mv = useAsync(() => api.getModelVersion(name, version), [name, version]);
  if (mv.error) return <RegistryError error={mv.error} what={`version ${version} of model “${name}”`} onRetry={mv.reload} />;
  if (!mv.data) return <Loading what="model version" />;
  const v = mv.data;
  const edit = (fn: () => Promise<unknown>) => fn().then(mv.reload);
  return (
    <section className="page registry version-page">
      <div className="crumbs">
        <a href={hrefFor({ view: "models" })}>Models</a> / <a href={hrefFor({ view: "model", name })}>{name}</a> /
      </div>
      <div className="title-row">
        <h1>Version {v.version}</h1>
        <StageBadge stage={v.current_stage} />
        <span className="spacer" />
        <ConfirmButton
          label="Delete version"
          question={<>Delete version {v.version} of “{name}”?</>}
          onConfirm={() => api.deleteModelVersion(name, version).then(() => navigate({ view: "model", name }))}
        />
      </div>
      <dl className="facts">
        <dt>Stage</dt>
        <dd>
          <StageTransition version={v} onDone={mv.reload} />
        </dd>
        <dt>Status</dt>
        <dd>
          <VersionStatus version={v} />
          {v.status_message && <span className="muted"> {v.status_message}</span>}
        </dd>
        <dt>Created</dt>
        <dd>{formatTime(v.creation_timestamp)}</dd>
        <dt>Last modified</dt>
        <dd>{formatTime(v.last_updated_timestamp)}</dd>
        {v.user_id && (
          <>
            <dt>Registered by</dt>
            <dd>{v.user_id}</dd>
          </>
        )}
        <dt>Source</dt>
        <dd className="mono">{v.source}</dd>
        {v.run_id && (
          <>
            <dt>Source run</dt>
            <dd>
              <a className="mono" href={hrefFor({ view: "run", runId: v.run_id, tab: "overview" })}>
                {v.run_id}
              </a>
            </dd>
          </>
        )}
        {v.model_id && (
          <>
            <dt>Logged model</dt>
            <dd className="mono">{v.model_id}</dd>
          </>
        )}
      </dl>
      <h2>Description</h2>
      <Description value={v.description ?? ""} onSave={(d) => edit(() => api.updateModelVersion(name, version, d))} />
      <h2>Aliases</h2>
      <AliasEditor
        name={name}
        aliases={(v.aliases ?? []).map((alias) => ({ alias, version: v.version }))}
        versions={[v.version]}
        onSet={(alias) => edit(() => api.setModelAlias(name, alias, version))}
        onDelete={(alias) => edit(() => api.deleteModelAlias(name, alias))}
      />
      <h2>Tags</h2>
      <TagTable
        tags={v.tags ?? []}
        onSet={(k, val) => edit(() => api.setModelVersionTag(name, version, k, val))}
        onDelete={(k) => edit(() => api.deleteModelVersionTag(name, version, k))}
      />
      {v.run_id && <SourceArtifacts version={v} runId={v.run_id} />}
    </section>
  );
}

function StageTransition({ version, onDone }: { version: api.ModelVersion; onDone: () => void }) {
  const current = version.current_stage || "None";
  const [stage, setStage] = useState<api.Stage>(current as api.Stage);
  const [archive, setArchive] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();
  const changed = stage !== current;
  const transition = () => {
    setBusy(true);
    setError(undefined);
    api.transitionModelVersionStage(version.name, version.version, stage, canArchiveExisting(stage) && archive).then(
      () => (setBusy(false), onDone()),
      (e: unknown) => (setBusy(false), setError(e as Error)),
    );
  };
  return (
    <form
      className="stage-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (changed) transition();
      }}
    >
      <select aria-label="New stage" value={stage} onChange={(e) => setStage(e.target.value as api.Stage)}>
        {api.STAGES.map((s) => (
          <option key={s} value={s}>
            {s}
            {s === current ? " (current)" : ""}
          </option>
        ))}
      </select>
      {changed && canArchiveExisting(stage) && (
        <label>
          <input type="checkbox" checked={archive} onChange={(e) => setArchive(e.target.checked)} /> Archive existing {stage} versions
        </label>
      )}
      {changed && (
        <button type="submit" disabled={busy}>
          Transition to {stage}
        </button>
      )}
      {error && <span className="error-text">{error.message}</span>}
    </form>
  );
}

/** The MLmodel card (and the rest of the model's files) when the source is inside its run's artifacts. */
function SourceArtifacts({ version, runId }: { version: api.ModelVersion; runId: string }) {
  const run = useAsync(() => api.getRun(runId), [runId]);
  if (run.loading && !run.data) return null;
  const path = runArtifactPath(version.source, runId, run.data?.info.artifact_uri);
  if (path === undefined) return null;
  const mlmodel = path ? `${path}/MLmodel` : "MLmodel";
  return (
    <>
      <h2>
        Model files{" "}
        <a className="small-link" href={hrefFor({ view: "run", runId, tab: "artifacts" }, { path: mlmodel })}>
          open in the run's artifacts
        </a>
      </h2>
      {run.error ? <ErrorBox error={run.error} /> : <ArtifactBrowser runId={runId} path={mlmodel} />}
    </>
  );
}
