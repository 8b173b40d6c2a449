import { formatBytes, formatDuration, formatNumber } from "./format";

describe("format", () => {
  it("formats durations at each scale", () => {
    expect(formatDuration(undefined)).toBe("");
    expect(formatDuration(250)).toBe("250ms");
    expect(formatDuration(12_345)).toBe("12.3s");
    expect(formatDuration(125_000)).toBe("2m 5s");
    expect(formatDuration(3_720_000)).toBe("1h 2m");
    expect(formatDuration(50 * 3_600_000)).toBe("2d 2h");
  });

  it("formats numbers compactly", () => {
    expect(formatNumber(3)).toBe("3");
    expect(formatNumber(0.123456789)).toBe("0.123457");
    expect(formatNumber(1.5e-7)).toBe("1.5000e-7");
    expect(formatNumber(Number.NaN)).toBe("NaN");
  });

  it("formats sizes", () => {
    expect(formatBytes(12)).toBe("12 B");
    expect(formatBytes(1500)).toBe("1.5 kB");
  });
});
