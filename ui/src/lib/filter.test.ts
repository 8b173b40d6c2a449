import { andFilter, orderClause, parseOrder, quote } from "./filter";

describe("filter helpers", () => {
  it("quotes literals as SQL does", () => {
    expect(quote("a'b")).toBe("'a''b'");
    expect(quote("a\\b")).toBe("'a\\b'");
  });

  it("joins non-empty conditions with and", () => {
    expect(andFilter("metrics.a > 1", "", undefined, " attributes.status = 'RUNNING' ")).toBe(
      "metrics.a > 1 and attributes.status = 'RUNNING'",
    );
    expect(andFilter()).toBe("");
  });

  it("round-trips order clauses", () => {
    expect(parseOrder(orderClause("metrics.`a b`", false))).toEqual({ column: "metrics.`a b`", ascending: false });
    expect(parseOrder("attributes.start_time")).toEqual({ column: "attributes.start_time", ascending: true });
    expect(parseOrder(null)).toBeNull();
  });
});
