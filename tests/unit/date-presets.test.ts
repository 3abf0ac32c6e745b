import { describe, expect, it } from "vitest";
import { DATE_PRESETS, isDatePreset, presetRange } from "../../src/list/date-presets";

const at = (iso: string) => new Date(iso);

describe("presetRange (UTC days, both ends included)", () => {
  it.each([
    ["today", "2024-03-01T23:59:59Z", "2024-03-01", "2024-03-01"],
    ["yesterday", "2024-03-01T00:00:00Z", "2024-02-29", "2024-02-29"],
    ["last-7-days", "2024-03-01T12:00:00Z", "2024-02-24", "2024-03-01"],
    ["last-30-days", "2023-03-01T12:00:00Z", "2023-01-31", "2023-03-01"],
    ["this-month", "2024-02-10T12:00:00Z", "2024-02-01", "2024-02-29"],
    ["this-month", "2023-12-31T23:00:00Z", "2023-12-01", "2023-12-31"],
    ["last-month", "2024-01-15T12:00:00Z", "2023-12-01", "2023-12-31"],
    ["last-month", "2024-03-31T12:00:00Z", "2024-02-01", "2024-02-29"],
    ["this-year", "2024-06-30T12:00:00Z", "2024-01-01", "2024-12-31"],
  ] as const)("%s on %s is %s to %s", (preset, now, min, max) => {
    expect(presetRange(preset, at(now))).toEqual({ min, max });
  });

  it("works in UTC whatever the process's time zone: 23:30 UTC is still that day", () => {
    expect(presetRange("today", at("2024-07-04T23:30:00Z"))).toEqual({ min: "2024-07-04", max: "2024-07-04" });
    expect(presetRange("today", at("2024-07-05T00:30:00+02:00"))).toEqual({ min: "2024-07-04", max: "2024-07-04" });
  });

  it("knows only its own names", () => {
    expect(DATE_PRESETS.every((preset) => isDatePreset(preset.value))).toBe(true);
    for (const value of ["custom", "", "Today", "__proto__", "toString", undefined, 7]) expect(isDatePreset(value)).toBe(false);
  });
});
