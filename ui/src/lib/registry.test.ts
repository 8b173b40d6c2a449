import { byVersionDesc, canArchiveExisting, modelSearchFilter, parseSort, runArtifactPath, summary, toggleSort } from "./registry";

describe("registry search", () => {
  it("turns plain text into a case-insensitive name match and passes filters through", () => {
    expect(modelSearchFilter("")).toBe("");
    expect(modelSearchFilter("  iris ")).toBe("name ILIKE '%iris%'");
    expect(modelSearchFilter("o'brien 50%_")).toBe("name ILIKE '%o''brien 50\\%\\_%'");
    expect(modelSearchFilter("name LIKE '%x%'")).toBe("name LIKE '%x%'");
    expect(modelSearchFilter("tags.team = 'vision'")).toBe("tags.team = 'vision'");
    expect(modelSearchFilter("name = 'a'")).toBe("name = 'a'");
    expect(modelSearchFilter("name='a' and tags.x = 'y'")).toBe("name='a' and tags.x = 'y'");
    expect(modelSearchFilter("name ilike '%a%'")).toBe("name ilike '%a%'");
    expect(modelSearchFilter("named entity")).toBe("name ILIKE '%named entity%'");
  });

  it("keeps sort orders to the known ones and toggles by column", () => {
    expect(parseSort(null)).toBe("last_updated_timestamp DESC");
    expect(parseSort("name ASC")).toBe("name ASC");
    expect(parseSort("bogus; drop")).toBe("last_updated_timestamp DESC");
    expect(toggleSort("name ASC", "name")).toBe("name DESC");
    expect(toggleSort("name DESC", "name")).toBe("name ASC");
    expect(toggleSort("name ASC", "last_updated_timestamp")).toBe("last_updated_timestamp DESC");
    expect(toggleSort("last_updated_timestamp DESC", "name")).toBe("name ASC");
  });
});

describe("registry versions", () => {
  it("finds a version's model inside its run's artifacts", () => {
    expect(runArtifactPath("runs:/abc/model", "abc")).toBe("model");
    expect(runArtifactPath("runs:/abc/nested/model/", "abc")).toBe("nested/model");
    expect(runArtifactPath("runs:/other/model", "abc")).toBeUndefined();
    const root = "mlflow-artifacts:/1/abc/artifacts";
    expect(runArtifactPath(`${root}/model`, "abc", root)).toBe("model");
    expect(runArtifactPath(`${root}/model`, "abc", `${root}/`)).toBe("model");
    expect(runArtifactPath("s3://bucket/elsewhere/model", "abc", root)).toBeUndefined();
    expect(runArtifactPath("models:/m-123", "abc", root)).toBeUndefined();
    expect(runArtifactPath("runs:/abc/model", undefined)).toBeUndefined();
  });

  it("sorts versions numerically and knows when archiving applies", () => {
    const sorted = [{ version: "2" }, { version: "10" }, { version: "1" }].sort(byVersionDesc);
    expect(sorted.map((v) => v.version)).toEqual(["10", "2", "1"]);
    expect(canArchiveExisting("Production")).toBe(true);
    expect(canArchiveExisting("Staging")).toBe(true);
    expect(canArchiveExisting("Archived")).toBe(false);
    expect(canArchiveExisting("None")).toBe(false);
  });
});

describe("summary", () => {
  it("keeps the first line, without Markdown marks", () => {
    expect(summary(undefined)).toBe("");
    expect(summary("\n# The **best** `model`\n\nmore")).toBe("The best model");
    expect(summary("- see [docs](https://x.y)")).toBe("see docs");
  });
});
