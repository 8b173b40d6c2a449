import { useEffect } from "react";
import { useHashLocation, useLocalStorage } from "./hooks";
import { hrefFor } from "./lib/route";
import { ExperimentsView } from "./views/ExperimentsView";
import { RunsView } from "./views/RunsView";
import { RunView } from "./views/RunView";
import { CompareView } from "./views/CompareView";
import { Empty } from "./components/Status";

export function App() {
  const { route, query } = useHashLocation();
  const [theme, setTheme] = useLocalStorage<"light" | "dark" | "auto">("mltrail.theme", "auto");
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  const nextTheme = theme === "auto" ? "dark" : theme === "dark" ? "light" : "auto";
  return (
    <div className="app">
      <header className="topbar">
        <a className="brand" href={hrefFor({ view: "experiments" })}>
          mltrail
        </a>
        <nav>
          <a href={hrefFor({ view: "experiments" })}>Experiments</a>
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
        {route.view === "notFound" && <Empty>No page at “{route.path}”.</Empty>}
      </main>
    </div>
  );
}
