import { useEffect } from "react";
import { useHashLocation, useLocalStorage } from "./hooks";
import { hrefFor } from "./lib/route";
import { ExperimentsView } from "./views/ExperimentsView";
import { RunsView } from "./views/RunsView";
import { RunView } from "./views/RunView";
import { CompareView } from "./views/CompareView";
import { ModelsView } from "./views/ModelsView";
import { ModelView } from "./views/ModelView";
import { ModelVersionView } from "./views/ModelVersionView";
import { Empty } from "./components/Status";

export function App() {
  const { route, query } = useHashLocation();
  const [theme, setTheme] = useLocalStorage<"light" | "dark" | "auto">("mltrail.theme", "auto");
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  const section = route.view === "models" || route.view === "model" || route.view === "modelVersion" ? "models" : "experiments";
  const nextTheme = theme === "auto" ? "dark" : theme === "dark" ? "light" : "auto";
  return (
    <div className="app">
      <header className="topbar">
        <a className="brand" href={hrefFor({ view: "experiments" })}>
          mltrail
        </a>
        <nav>
          <a href={hrefFor({ view: "experiments" })} aria-current={section === "experiments" ? "page" : undefined}>
            Experiments
          </a>
          <a href={hrefFor({ view: "models" })} aria-current={section === "models" ? "page" : undefined}>
            Models
          </a>
        </nav>
        <span className="spacer" />
        <button className="ghost" onClick={() => setTheme(nextTheme)} title="Theme: auto, dark, light">
          Theme: {theme}
        </button>
      </header>
      <main>
        {route.view === "experiments" && <ExperimentsView query={query} />}
        {route.view === "runs" && <RunsView key={route.experimentId} experimentId={route.experimentId} tab={route.tab} query={query} />}
        {route.view === "run" && <RunView key={route.runId} runId={route.runId} tab={route.tab} query={query} />}
        {route.view === "compare" && <CompareView runIds={route.runIds} />}
        {route.view === "models" && <ModelsView key={`${query.get("q") ?? ""}|${query.get("order") ?? ""}`} query={query} />}
        {route.view === "model" && <ModelView key={route.name} name={route.name} />}
        {route.view === "modelVersion" && <ModelVersionView key={`${route.name}/${route.version}`} name={route.name} version={route.version} />}
        {route.view === "notFound" && <Empty>No page at “{route.path}”.</Empty>}
      </main>
    </div>
  );
}
