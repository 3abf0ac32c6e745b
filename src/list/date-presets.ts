/**
 * Relative date ranges a date filter offers ("last 7 days"). The URL keeps the preset's name, never
 * its dates, so a bookmarked "last 7 days" still means the last 7 days when it is opened next week.
 * Days are UTC days, as PowerCRUD shows and stores every date.
 */
export const DATE_PRESETS = [
  { value: "today", label: "Today" },
  { value: "yesterday", label: "Yesterday" },
  { value: "last-7-days", label: "Last 7 days" },
  { value: "last-30-days", label: "Last 30 days" },
  { value: "this-month", label: "This month" },
  { value: "last-month", label: "Last month" },
  { value: "this-year", label: "This year" },
] as const;

export type DatePreset = (typeof DATE_PRESETS)[number]["value"];

export function isDatePreset(value: unknown): value is DatePreset {
  return DATE_PRESETS.some((preset) => preset.value === value);
}

export function presetLabel(preset: DatePreset): string {
  return DATE_PRESETS.find((candidate) => candidate.value === preset)!.label;
}

/** The first and last day (both included, YYYY-MM-DD) a preset covers on the UTC day of `now`. */
export function presetRange(preset: DatePreset, now: Date = new Date()): { min: string; max: string } {
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth();
  const day = now.getUTCDate();
  // Date.UTC rolls day 0 back to the previous month's last day, and negative days further back.
  const on = (y: number, m: number, d: number) => new Date(Date.UTC(y, m, d)).toISOString().slice(0, 10);
  switch (preset) {
    case "today":
      return { min: on(year, month, day), max: on(year, month, day) };
    case "yesterday":
      return { min: on(year, month, day - 1), max: on(year, month, day - 1) };
    case "last-7-days":
      return { min: on(year, month, day - 6), max: on(year, month, day) };
    case "last-30-days":
      return { min: on(year, month, day - 29), max: on(year, month, day) };
    case "this-month":
      return { min: on(year, month, 1), max: on(year, month + 1, 0) };
    case "last-month":
      return { min: on(year, month - 1, 1), max: on(year, month, 0) };
    case "this-year":
      return { min: on(year, 0, 1), max: on(year, 11, 31) };
  }
}
