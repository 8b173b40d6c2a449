import {
  defaultColumns,
  loadColumns,
  parseColumnId,
  saveColumns,
  searchKey,
  toggleColumn,
  type KeyValueStore,
} from "./columns";

function memoryStore(): KeyValueStore & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (k) => data.get(k) ?? null,
    setItem: (k, v) => void data.set(k, v),
  };
}

describe("column preferences", () => {
  it("round-trips per experiment", () => {
    const store = memoryStore();
    saveColumns(store, "1", ["metrics.loss", "params.lr"]);
    expect(loadColumns(store, "1")).toEqual(["metrics.loss", "params.lr"]);
    expect(loadColumns(store, "2")).toBeNull();
  });

  it("ignores corrupt or foreign entries", () => {
    const store = memoryStore();
    store.setItem("mltrail.columns.1", "{not json");
    expect(loadColumns(store, "1")).toBeNull();
    store.setItem("mltrail.columns.1", JSON.stringify(["metrics.a", 3, "bogus", "tags.t"]));
    expect(loadColumns(store, "1")).toEqual(["metrics.a", "tags.t"]);
  });

  it("toggles a column on and off, keeping order", () => {
    expect(toggleColumn(["metrics.a"], "params.b")).toEqual(["metrics.a", "params.b"]);
    expect(toggleColumn(["metrics.a", "params.b"], "metrics.a")).toEqual(["params.b"]);
  });

  it("parses ids and picks defaults", () => {
    expect(parseColumnId("metrics.val.loss")).toEqual({ kind: "metrics", key: "val.loss" });
    expect(parseColumnId("other.x")).toBeNull();
    expect(defaultColumns(["a", "b", "c", "d", "e"], ["p"])).toEqual([
      "metrics.a",
      "metrics.b",
      "metrics.c",
      "metrics.d",
      "params.p",
    ]);
  });

  it("quotes keys the grammar cannot take bare", () => {
    expect(searchKey("metrics.loss")).toBe("metrics.loss");
    expect(searchKey("metrics.val/loss")).toBe("metrics.`val/loss`");
  });
});
