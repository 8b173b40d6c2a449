import { parentDir, prettyJson, previewKind } from "./preview";

describe("previewKind", () => {
  it("maps names to previews", () => {
    expect(previewKind("plots/loss.PNG")).toBe("image");
    expect(previewKind("model/MLmodel")).toBe("mlmodel");
    expect(previewKind("report.html")).toBe("html");
    expect(previewKind("fig.svg")).toBe("html");
    expect(previewKind("a/b.json")).toBe("json");
    expect(previewKind("data.csv")).toBe("csv");
    expect(previewKind("train.log")).toBe("text");
    expect(previewKind("model/requirements.txt")).toBe("text");
    expect(previewKind("model.pkl")).toBe("none");
  });

  it("pretty prints JSON and leaves the rest", () => {
    expect(prettyJson('{"a":1}')).toBe('{\n  "a": 1\n}');
    expect(prettyJson("{bad")).toBe("{bad");
    expect(parentDir("a/b/c.txt")).toBe("a/b");
    expect(parentDir("c.txt")).toBe("");
  });
});
