import { smooth } from "./smoothing";

describe("smooth", () => {
  it("returns the input unchanged at weight 0", () => {
    expect(smooth([1, 2, null, 4], 0)).toEqual([1, 2, null, 4]);
  });

  it("keeps a constant series constant (bias corrected)", () => {
    const out = smooth([5, 5, 5, 5], 0.9);
    for (const v of out) expect(v).toBeCloseTo(5, 10);
  });

  it("lags behind a step and converges towards it", () => {
    const out = smooth([0, 0, 0, 10, 10, 10, 10, 10, 10, 10], 0.6) as number[];
    expect(out[3]).toBeGreaterThan(0);
    expect(out[3]).toBeLessThan(10);
    expect(out[9]).toBeGreaterThan(out[3] as number);
    expect(out[9]).toBeLessThan(10);
  });

  it("keeps gaps as gaps without resetting the average", () => {
    const out = smooth([2, null, Number.NaN, 2], 0.5);
    expect(out[1]).toBeNull();
    expect(out[2]).toBeNull();
    expect(out[3]).toBeCloseTo(2, 10);
  });
});
