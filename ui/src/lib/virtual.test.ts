import { visibleRange } from "./virtual";

describe("visibleRange", () => {
  it("renders only a window around the viewport", () => {
    expect(visibleRange(0, 300, 30, 10000, 5)).toEqual({ start: 0, end: 16 });
    expect(visibleRange(3000, 300, 30, 10000, 5)).toEqual({ start: 95, end: 116 });
  });

  it("clamps at the end and handles empty lists", () => {
    expect(visibleRange(10_000_000, 300, 30, 100, 5)).toEqual({ start: 94, end: 100 });
    expect(visibleRange(0, 300, 30, 0)).toEqual({ start: 0, end: 0 });
  });
});
