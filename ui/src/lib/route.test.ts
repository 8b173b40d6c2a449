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
});
