import { alignSeries, forLogScale, toSeries } from "./chartData";

const pts = (rows: [number, number, number][]) =>
  rows.map(([step, timestamp, value]) => ({ step, timestamp, value }));

describe("chart data", () => {
  it("orders points by step and maps the x axis", () => {
    const p = pts([
      [2, 3000, 0.5],
      [0, 1000, 1.0],
      [1, 2000, 0.7],
    ]);
    expect(toSeries("a", p, "step")).toEqual({ label: "a", xs: [0, 1, 2], ys: [1.0, 0.7, 0.5] });
    expect(toSeries("a", p, "wall").xs).toEqual([1, 2, 3]);
    expect(toSeries("a", p, "relative").xs).toEqual([0, 1, 2]);
  });

  it("aligns runs with different steps on one x column", () => {
    const a = { label: "a", xs: [0, 2, 4], ys: [1, 2, 3] };
    const b = { label: "b", xs: [1, 2, 3], ys: [9, 8, 7] };
    expect(alignSeries([a, b])).toEqual([
      [0, 1, 2, 3, 4],
      [1, null, 2, null, 3],
      [null, 9, 8, 7, null],
    ]);
  });

  it("passes a single sorted series through without copying", () => {
    const a = { label: "a", xs: [0, 1], ys: [1, 2] };
    const [xs, ys] = alignSeries([a]);
    expect(xs).toBe(a.xs);
    expect(ys).toBe(a.ys);
  });

  it("drops non-positive values for log scale", () => {
    expect(forLogScale([1, 0, -2, null, 3])).toEqual([1, null, null, null, 3]);
  });
});
