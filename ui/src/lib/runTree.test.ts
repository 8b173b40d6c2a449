import { nestRows } from "./runTree";

interface R {
  id: string;
  parent?: string;
}
const rows: R[] = [
  { id: "c1", parent: "p" },
  { id: "p" },
  { id: "x" },
  { id: "c2", parent: "p" },
  { id: "g", parent: "c1" },
  { id: "orphan", parent: "missing" },
];
const nest = (expanded: string[]) =>
  nestRows(rows, (r) => r.id, (r) => r.parent, new Set(expanded)).map(
    (n) => `${"-".repeat(n.depth)}${n.item.id}(${n.childCount})`,
  );

describe("nestRows", () => {
  it("collapses children under their parents by default", () => {
    expect(nest([])).toEqual(["p(2)", "x(0)", "orphan(0)"]);
  });

  it("shows children in order right after an expanded parent", () => {
    expect(nest(["p"])).toEqual(["p(2)", "-c1(1)", "-c2(0)", "x(0)", "orphan(0)"]);
    expect(nest(["p", "c1"])).toEqual(["p(2)", "-c1(1)", "--g(0)", "-c2(0)", "x(0)", "orphan(0)"]);
  });

  it("survives a parent cycle", () => {
    const cyc: R[] = [
      { id: "a", parent: "b" },
      { id: "b", parent: "a" },
    ];
    const out = nestRows(cyc, (r) => r.id, (r) => r.parent, new Set(["a", "b"]));
    expect(out.length).toBeLessThanOrEqual(2);
  });
});
