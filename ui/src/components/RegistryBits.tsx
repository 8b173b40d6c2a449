import type { ModelVersion } from "../api";
import { hrefFor } from "../lib/route";

/** A version's stage, coloured by meaning (Production green, Staging amber, Archived grey). */
export function StageBadge({ stage }: { stage?: string }) {
  const s = stage || "None";
  return <span className={`stage stage-${s.toLowerCase()}`}>{s}</span>;
}

export function AliasChip({ alias, version, name }: { alias: string; version?: string; name?: string }) {
  const text = `@${alias}${version ? ` → v${version}` : ""}`;
  return name && version ? (
    <a className="chip alias" href={hrefFor({ view: "modelVersion", name, version })}>
      {text}
    </a>
  ) : (
    <span className="chip alias">{text}</span>
  );
}

/** "v3 Production", one link per stage, as the models list shows latest versions. */
export function LatestVersions({ versions }: { versions: ModelVersion[] }) {
  if (!versions.length) return <span className="muted">—</span>;
  return (
    <>
      {versions.map((v) => (
        <a key={v.version} className="chip version" href={hrefFor({ view: "modelVersion", name: v.name, version: v.version })}>
          v{v.version} <StageBadge stage={v.current_stage} />
        </a>
      ))}
    </>
  );
}

export function TagChips({ tags }: { tags?: { key: string; value: string }[] }) {
  const shown = (tags ?? []).filter((t) => !t.key.startsWith("mlflow."));
  if (!shown.length) return null;
  return (
    <>
      {shown.map((t) => (
        <span key={t.key} className="chip tag" title={`${t.key}=${t.value}`}>
          <span className="muted">{t.key}</span>
          {t.value ? `: ${t.value}` : ""}
        </span>
      ))}
    </>
  );
}
