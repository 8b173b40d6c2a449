import * as api from "../api";
import { useAsync } from "../hooks";
import { quote } from "../lib/filter";
import { hrefFor } from "../lib/route";
import { StageBadge } from "./RegistryBits";

/** The registered model versions made from a run (for the run page); nothing when there are none. */
export function RunModelVersions({ runId }: { runId: string }) {
  const versions = useAsync(() => api.allModelVersions(`run_id = ${quote(runId)}`), [runId]);
  const items = versions.data ?? [];
  if (!items.length) return null;
  return (
    <>
      <dt>Registered models</dt>
      <dd className="registered-versions">
        {items.map((v) => (
          <a key={`${v.name}/${v.version}`} className="chip version" href={hrefFor({ view: "modelVersion", name: v.name, version: v.version })}>
            {v.name} v{v.version} <StageBadge stage={v.current_stage} />
          </a>
        ))}
      </dd>
    </>
  );
}
