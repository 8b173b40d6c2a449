import { cleanKeys, cleanSizes, dropIndex, moveBy, moveItem, sizeOf, withSize, type Rect } from "./chartLayout";

describe("moving charts", () => {
  it("moves an item to another index without touching the input", () => {
    const keys = ["a", "b", "c", "d"];
    expect(moveItem(keys, 0, 2)).toEqual(["b", "c", "a", "d"]);
    expect(moveItem(keys, 3, 0)).toEqual(["d", "a", "b", "c"]);
    expect(moveItem(keys, 1, 1)).toEqual(keys);
    expect(keys).toEqual(["a", "b", "c", "d"]);
  });

  it("clamps the target and ignores an unknown source", () => {
    expect(moveItem(["a", "b", "c"], 0, 99)).toEqual(["b", "c", "a"]);
    expect(moveItem(["a", "b", "c"], 2, -5)).toEqual(["c", "a", "b"]);
    expect(moveItem(["a", "b"], 5, 0)).toEqual(["a", "b"]);
  });

  it("moves by one place left or right, staying put at the ends", () => {
    expect(moveBy(["a", "b", "c"], "b", -1)).toEqual(["b", "a", "c"]);
    expect(moveBy(["a", "b", "c"], "b", 1)).toEqual(["a", "c", "b"]);
    expect(moveBy(["a", "b", "c"], "a", -1)).toEqual(["a", "b", "c"]);
    expect(moveBy(["a", "b", "c"], "c", 1)).toEqual(["a", "b", "c"]);
    expect(moveBy(["a", "b", "c"], "x", 1)).toEqual(["a", "b", "c"]);
  });
});

describe("dropIndex", () => {
  // Two rows of two 100x50 cells with a 10 px gap; then a full-width cell.
  const cells: Rect[] = [
    { left: 0, top: 0, width: 100, height: 50 },
    { left: 110, top: 0, width: 100, height: 50 },
    { left: 0, top: 60, width: 100, height: 50 },
    { left: 110, top: 60, width: 100, height: 50 },
    { left: 0, top: 120, width: 210, height: 50 },
  ];

  it("is the cell under the pointer", () => {
    expect(dropIndex(cells, 50, 25)).toBe(0);
    expect(dropIndex(cells, 150, 25)).toBe(1);
    expect(dropIndex(cells, 180, 100)).toBe(3);
    expect(dropIndex(cells, 200, 150)).toBe(4);
  });

  it("is the nearest cell when the pointer is in a gap or outside", () => {
    expect(dropIndex(cells, 104, 25)).toBe(0);
    expect(dropIndex(cells, 106, 25)).toBe(1);
    expect(dropIndex(cells, 400, 80)).toBe(3);
    expect(dropIndex(cells, 100, 500)).toBe(4);
  });

  it("is -1 without cells", () => {
    expect(dropIndex([], 1, 1)).toBe(-1);
  });
});

describe("sizes", () => {
  it("defaults to medium and stores only the other sizes", () => {
    expect(sizeOf(undefined, "a")).toBe("medium");
    const sizes = withSize({}, "a", "large");
    expect(sizes).toEqual({ a: "large" });
    expect(sizeOf(sizes, "a")).toBe("large");
    expect(withSize(sizes, "a", "medium")).toEqual({});
    expect(withSize({ a: "small", b: "large" }, "a", "large")).toEqual({ a: "large", b: "large" });
  });
});

describe("reading a stored layout", () => {
  it("keeps valid keys once, in order, and null when never arranged", () => {
    expect(cleanKeys(["b", "a", "b", 3, null])).toEqual(["b", "a"]);
    expect(cleanKeys(null)).toBeNull();
    expect(cleanKeys("loss")).toBeNull();
    expect(cleanKeys([])).toEqual([]);
  });

  it("drops unknown sizes and anything that is not a map", () => {
    expect(cleanSizes({ a: "large", b: "huge", c: 2, d: "medium" })).toEqual({ a: "large" });
    expect(cleanSizes(["large"])).toEqual({});
    expect(cleanSizes(undefined)).toEqual({});
  });
});
