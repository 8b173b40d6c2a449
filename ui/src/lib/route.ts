/** Hash routes: every view has a deep link, and the server needs no history fallback. */

export type Route =
  | { view: "experiments" }
  | { view: "runs"; experimentId: string; tab: "runs" | "charts" }
  | { view: "run"; runId: string; tab: RunTab }
  | { view: "compare"; runIds: string[] }
  | { view: "models" }
  | { view: "model"; name: string }
  | { view: "modelVersion"; name: string; version: string }
  | { view: "notFound"; path: string };

export const RUN_TABS = ["overview", "params", "metrics", "tags", "artifacts", "charts"] as const;
export type RunTab = (typeof RUN_TABS)[number];

export interface Location {
  route: Route;
  query: URLSearchParams;
}

/** A hand-typed "%" that is not an escape stays as typed instead of throwing. */
function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export function parseHash(hash: string): Location {
  const raw = hash.replace(/^#/, "");
  const q = raw.indexOf("?");
  const path = q >= 0 ? raw.slice(0, q) : raw;
  const query = new URLSearchParams(q >= 0 ? raw.slice(q + 1) : "");
  const parts = path.split("/").filter(Boolean).map(safeDecode);
  const [head, id, tab] = parts;
  let route: Route = { view: "notFound", path };
  if (parts.length === 0 || (head === "experiments" && parts.length === 1)) {
    route = { view: "experiments" };
  } else if (head === "experiments" && id && (tab === undefined || tab === "runs" || tab === "charts")) {
    route = { view: "runs", experimentId: id, tab: tab ?? "runs" };
  } else if (head === "runs" && id) {
    const runTab = (tab ?? "overview") as RunTab;
    if (RUN_TABS.includes(runTab)) route = { view: "run", runId: id, tab: runTab };
  } else if (head === "models") {
    route = modelRoute(parts.slice(1)) ?? route;
  } else if (head === "compare") {
    route = { view: "compare", runIds: (query.get("runs") ?? "").split(",").filter(Boolean) };
  }
  return { route, query };
}

/** `/models`, `/models/<name>`, `/models/<name>/versions/<v>`; names arrive decoded (a name
 * may hold "/" because each segment is percent-encoded on the way out). */
function modelRoute(rest: string[]): Route | undefined {
  const [name, versions, version] = rest;
  if (name === undefined) return { view: "models" };
  if (rest.length === 1) return { view: "model", name };
  if (rest.length === 3 && versions === "versions" && version) return { view: "modelVersion", name, version };
  return undefined;
}

export function hrefFor(route: Route, query?: Record<string, string | undefined>): string {
  const enc = encodeURIComponent;
  let path: string;
  switch (route.view) {
    case "experiments":
      path = "/experiments";
      break;
    case "runs":
      path = `/experiments/${enc(route.experimentId)}${route.tab === "charts" ? "/charts" : ""}`;
      break;
    case "run":
      path = `/runs/${enc(route.runId)}${route.tab === "overview" ? "" : `/${route.tab}`}`;
      break;
    case "compare":
      path = "/compare";
      query = { runs: route.runIds.join(","), ...query };
      break;
    case "models":
      path = "/models";
      break;
    case "model":
      path = `/models/${enc(route.name)}`;
      break;
    case "modelVersion":
      path = `/models/${enc(route.name)}/versions/${enc(route.version)}`;
      break;
    case "notFound":
      path = route.path;
      break;
  }
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v) params.set(k, v);
  const qs = params.toString();
  return `#${path}${qs ? `?${qs}` : ""}`;
}

/** Go to a route (a hash change, so the back button works). */
export function navigate(route: Route, query?: Record<string, string | undefined>): void {
  window.location.hash = hrefFor(route, query);
}
