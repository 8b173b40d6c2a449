import { hrefFor, parseHash } from "./route";

describe("routes", () => {
  it("parses every view", () => {
    expect(parseHash("").route).toEqual({ view: "experiments" });
    expect(parseHash("#/experiments").route).toEqual({ view: "experiments" });
    expect(parseHash("#/experiments/7").route).toEqual({ view: "runs", experimentId: "7", tab: "runs" });
    expect(parseHash("#/experiments/7/charts").route).toEqual({
      view: "runs",
      experimentId: "7",
      tab: "charts",
    });
    expect(parseHash("#/runs/abc/artifacts?path=a%2Fb").route).toEqual({
      view: "run",
      runId: "abc",
      tab: "artifacts",
    });
    expect(parseHash("#/runs/abc/artifacts?path=a%2Fb").query.get("path")).toBe("a/b");
    expect(parseHash("#/compare?runs=a,b").route).toEqual({ view: "compare", runIds: ["a", "b"] });
    expect(parseHash("#/nope").route.view).toBe("notFound");
    expect(parseHash("#/runs/abc/bogus").route.view).toBe("notFound");
  });

  it("round-trips through hrefFor", () => {
    const href = hrefFor({ view: "runs", experimentId: "7", tab: "runs" }, { filter: "metrics.a > 1" });
    const back = parseHash(href);
    expect(back.route).toEqual({ view: "runs", experimentId: "7", tab: "runs" });
    expect(back.query.get("filter")).toBe("metrics.a > 1");
    expect(hrefFor({ view: "compare", runIds: ["x", "y"] })).toBe("#/compare?runs=x%2Cy");
  });

  it("parses and encodes registry routes, names with spaces and slashes included", () => {
    expect(parseHash("#/models").route).toEqual({ view: "models" });
    expect(parseHash("#/models?q=iris").query.get("q")).toBe("iris");
    expect(parseHash("#/models/iris").route).toEqual({ view: "model", name: "iris" });
    expect(parseHash("#/models/iris/versions/3").route).toEqual({ view: "modelVersion", name: "iris", version: "3" });
    expect(parseHash("#/models/iris/bogus").route.view).toBe("notFound");
    expect(parseHash("#/models/iris/versions").route.view).toBe("notFound");
    const name = "team a/fraud model 100%";
    const href = hrefFor({ view: "modelVersion", name, version: "2" });
    expect(href).toBe("#/models/team%20a%2Ffraud%20model%20100%25/versions/2");
    expect(parseHash(href).route).toEqual({ view: "modelVersion", name, version: "2" });
    expect(parseHash(hrefFor({ view: "model", name })).route).toEqual({ view: "model", name });
    expect(hrefFor({ view: "models" }, { q: "x", order: "name" })).toBe("#/models?q=x&order=name");
  });

  it("keeps a malformed escape as typed", () => {
    expect(parseHash("#/models/100%zz").route).toEqual({ view: "model", name: "100%zz" });
  });
});
