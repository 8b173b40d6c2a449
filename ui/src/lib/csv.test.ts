import { parseCsv } from "./csv";

describe("parseCsv", () => {
  it("parses quoted fields, escaped quotes and CRLF", () => {
    expect(parseCsv('a,b\r\n"x, y","say ""hi"""\n1,\n')).toEqual([
      ["a", "b"],
      ["x, y", 'say "hi"'],
      ["1", ""],
    ]);
  });

  it("keeps newlines inside quotes and limits rows", () => {
    expect(parseCsv('"l1\nl2",z')).toEqual([["l1\nl2", "z"]]);
    expect(parseCsv("1\n2\n3\n4", 2)).toEqual([["1"], ["2"]]);
  });
});
