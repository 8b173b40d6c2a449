import { collectKeys, toRow } from "./runRow";

describe("toRow", () => {
  const run = {
    info: { run_id: "r1", run_name: "first", experiment_id: "1", status: "FINISHED", lifecycle_stage: "active", user_id: "ann", start_time: 1000, end_time: 4000 },
    data: {
      metrics: [{ key: "loss", value: 0.5, timestamp: 1, step: 3 }],
      params: [{ key: "lr", value: "0.1" }],
      tags: [
        { key: "mlflow.parentRunId", value: "p" },
        { key: "mlflow.source.name", value: "train.py" },
        { key: "mlflow.log-model.history", value: '[{"a":1},{"b":2}]' },
        { key: "team", value: "x" },
      ],
    },
  };

  it("flattens a run for the table", () => {
    const row = toRow(run);
    expect(row).toMatchObject({ id: "r1", name: "first", user: "ann", source: "train.py", parentId: "p", models: 2 });
    expect(row.metrics).toEqual({ loss: 0.5 });
    expect(row.params).toEqual({ lr: "0.1" });
  });

  it("collects keys without system tags", () => {
    expect(collectKeys([toRow(run)])).toEqual({ metrics: ["loss"], params: ["lr"], tags: ["team"] });
  });
});
