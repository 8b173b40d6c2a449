import { compareRows, parallelAxes, scatterPoints } from "./compare";

describe("compare", () => {
  it("aligns keys across runs and flags differences", () => {
    const rows = compareRows([{ lr: "0.1", depth: "3" }, { lr: "0.1", depth: "5", extra: "x" }]);
    expect(rows).toEqual([
      { key: "depth", values: ["3", "5"], differs: true },
      { key: "extra", values: [undefined, "x"], differs: true },
      { key: "lr", values: ["0.1", "0.1"], differs: false },
    ]);
  });

  it("builds scatter points from params and metrics", () => {
    const rows: { id: string; name: string; params: Record<string, string>; metrics: Record<string, number> }[] = [
      { id: "a", name: "a", params: { lr: "0.1" }, metrics: { loss: 1 } },
      { id: "b", name: "b", params: { lr: "x" }, metrics: { loss: 2 } },
      { id: "c", name: "c", params: { lr: "0.3" }, metrics: {} },
    ];
    expect(scatterPoints(rows, "params.lr", "metrics.loss")).toEqual([{ id: "a", name: "a", x: 0.1, y: 1 }]);
  });
});

describe("parallelAxes", () => {
  it("normalizes each numeric key to [0, 1] and drops non-numeric ones", () => {
    const rows: { id: string; name: string; params: Record<string, string>; metrics: Record<string, number> }[] = [
      { id: "a", name: "a", params: { lr: "0.1", opt: "adam" }, metrics: { loss: 1 } },
      { id: "b", name: "b", params: { lr: "0.3", opt: "sgd" }, metrics: { loss: 3 } },
      { id: "c", name: "c", params: { lr: "0.2", opt: "sgd" }, metrics: {} },
    ];
    const { axes, lines } = parallelAxes(rows, ["params.lr", "params.opt", "metrics.loss"]);
    expect(axes.map((a) => a.key)).toEqual(["params.lr", "metrics.loss"]);
    expect(lines.map((l) => l.ys)).toEqual([
      [0, 0],
      [1, 1],
      [expect.closeTo(0.5, 10), null],
    ]);
  });
});
