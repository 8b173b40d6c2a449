/* eslint-disable @typescript-eslint/no-explicit-any -- walking a parsed document */
import { parseYaml } from "./yamlLite";

const MLMODEL = `artifact_path: model
flavors:
  python_function:
    env:
      conda: conda.yaml
      virtualenv: python_env.yaml
    loader_module: mltrail.sklearn
    python_version: 3.11.7
  sklearn:
    pickled_model: model.pkl
    serialization_format: cloudpickle
    sklearn_version: 1.5.2
model_uuid: 0a1b
signature:
  inputs: '[{"type": "double", "name": "x", "required": true}]'
  outputs: '[{"type": "tensor", "tensor-spec": {"dtype": "float64", "shape": [-1]}}]'
  params: null
saved_input_example_info:
  artifact_path: input_example.json
  type: dataframe
list:
- a
- 2
- name: n
  size: 3
empty: {}
`;

describe("parseYaml", () => {
  it("parses an MLmodel file", () => {
    const y = parseYaml(MLMODEL) as Record<string, any>;
    expect(y.artifact_path).toBe("model");
    expect(Object.keys(y.flavors)).toEqual(["python_function", "sklearn"]);
    expect(y.flavors.python_function.env.conda).toBe("conda.yaml");
    expect(y.flavors.python_function.python_version).toBe("3.11.7");
    expect(JSON.parse(y.signature.inputs)).toEqual([{ type: "double", name: "x", required: true }]);
    expect(y.signature.params).toBeNull();
    expect(y.saved_input_example_info.artifact_path).toBe("input_example.json");
    expect(y.list).toEqual(["a", 2, { name: "n", size: 3 }]);
    expect(y.empty).toEqual({});
  });
});
