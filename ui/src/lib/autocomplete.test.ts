import { completeKeys, currentToken } from "./autocomplete";

const keys = ["metrics.loss", "metrics.acc", "params.lr", "tags.team"];

describe("completeKeys", () => {
  it("finds the token under the cursor", () => {
    expect(currentToken("metrics.a > 1 and par", 21)).toEqual({ start: 18, token: "par" });
  });

  it("completes prefixes and full keys", () => {
    expect(completeKeys("par", 3, keys).map((c) => c.label)).toEqual(["params.", "params.lr"]);
    expect(completeKeys("metrics.l", 9, keys).map((c) => c.label)).toEqual(["metrics.loss"]);
    expect(completeKeys("lo", 2, keys).map((c) => c.label)).toEqual(["metrics.loss"]);
  });

  it("inserts at the cursor and keeps the rest", () => {
    const [c] = completeKeys("params.lr = '1' and metrics.a < 2", 29, keys);
    expect(c?.text).toBe("params.lr = '1' and metrics.acc  < 2");
    expect(c?.cursor).toBe(32);
  });

  it("suggests nothing for an empty token", () => {
    expect(completeKeys("x > 1 ", 6, keys)).toEqual([]);
  });
});
