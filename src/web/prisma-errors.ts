import type { FormField } from "../forms/types";

/** What a failed Prisma write means for the user. */
export type WriteProblem =
  | { kind: "unique"; fields: string[] }
  | { kind: "missing-related"; model: string }
  | { kind: "referenced"; table?: string }
  | { kind: "not-found" }
  | { kind: "invalid-value"; message: string };

/**
 * Recognises constraint errors (with or without a driver adapter, whose errors nest the cause), so
 * they become field or form messages instead of a 500. Anything else returns undefined.
 */
export function writeProblem(error: unknown): WriteProblem | undefined {
  const invalid = dataExceptionOf(error);
  if (invalid) return { kind: "invalid-value", message: invalid };
  const { code, meta } = (error ?? {}) as { code?: string; meta?: Record<string, any> };
  const cause = meta?.driverAdapterError?.cause;
  switch (code) {
    case "P2002": {
      const target = meta?.target ?? cause?.constraint?.fields ?? [];
      return { kind: "unique", fields: Array.isArray(target) ? target.map(String) : [String(target)] };
    }
    case "P2003": {
      const table = /on table "([^"]+)"\s*$/.exec(cause?.originalMessage ?? "")?.[1];
      return { kind: "referenced", ...(table ? { table } : {}) };
    }
    case "P2025":
      return meta?.relation || String(meta?.operation ?? "").includes("connect")
        ? { kind: "missing-related", model: String(meta?.model ?? "record") }
        : { kind: "not-found" };
    case "P2018":
      return { kind: "missing-related", model: "record" };
    default:
      return undefined;
  }
}

// Prisma's own codes for values the column refused, with or without a driver adapter.
const PRISMA_DATA_ERRORS: Record<string, string> = {
  P2000: "22001",
  P2006: "22P02",
  P2007: "22P02",
  P2020: "22003",
  P2033: "22003",
};

const SQLSTATE_MESSAGES: Record<string, string> = {
  "22001": "A text is longer than its field allows.",
  "22003": "A number is too large or too small.",
  "22007": "A date or time is not valid.",
  "22008": "A date or time is out of range.",
  "22021": "A text contains a character that cannot be stored.",
  "22P02": "A value is not in the expected format.",
  "22P05": "A text contains a character that cannot be stored.",
  "54000": "A value is too long to be stored.",
};

/**
 * The user-facing message when PostgreSQL refused a value itself: a data exception (SQLSTATE class
 * 22) or an index entry too large (54000). Looks through Prisma's error, its driver adapter's cause
 * and a plain pg error alike. Undefined for anything else.
 */
export function dataExceptionOf(error: unknown): string | undefined {
  const sqlState = sqlStateOf(error);
  if (!sqlState || !(sqlState.startsWith("22") || sqlState === "54000")) return undefined;
  return `${SQLSTATE_MESSAGES[sqlState] ?? "A value cannot be stored."} Check the values and try again.`;
}

function sqlStateOf(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  // The SQLSTATE sits on the pg error, the adapter's cause (originalCode), or Prisma's meta, a few levels down.
  const queue: unknown[] = [error];
  while (queue.length) {
    const current = queue.shift() as Record<string, any> | undefined;
    if (!current || typeof current !== "object" || seen.has(current)) continue;
    seen.add(current);
    if (typeof current.originalCode === "string" && /^[0-9A-Z]{5}$/.test(current.originalCode)) return current.originalCode;
    if (typeof current.code === "string") {
      if (/^[0-9A-Z]{5}$/.test(current.code) && typeof current.severity === "string") return current.code;
      if (current.kind === "postgres" && /^[0-9A-Z]{5}$/.test(current.code)) return current.code;
      if (PRISMA_DATA_ERRORS[current.code]) return PRISMA_DATA_ERRORS[current.code];
    }
    queue.push(current.cause, current.meta, current.meta?.driverAdapterError);
  }
  return undefined;
}

/** Field messages for a problem on a form, or a form-level message when no field matches. */
export function problemMessages(problem: WriteProblem, fields: FormField[], singular: string): { fieldErrors: Record<string, string>; formError?: string } {
  if (problem.kind === "unique") {
    const matching = fields.filter((field) => problem.fields.includes(field.name));
    if (matching.length > 0) {
      return { fieldErrors: Object.fromEntries(matching.map((field) => [field.name, `Another ${singular.toLowerCase()} already has this ${inSentence(field.label)}.`])) };
    }
    return { fieldErrors: {}, formError: `Another ${singular.toLowerCase()} already has these values (${problem.fields.join(", ")}).` };
  }
  if (problem.kind === "missing-related") {
    const field = fields.find((candidate) => candidate.relation?.model === problem.model);
    const message = `The chosen ${problem.model.toLowerCase()} no longer exists. Choose another.`;
    return field ? { fieldErrors: { [field.name]: message } } : { fieldErrors: {}, formError: message };
  }
  if (problem.kind === "referenced") {
    return { fieldErrors: {}, formError: "Other records depend on a value you changed; the change was not saved." };
  }
  if (problem.kind === "invalid-value") return { fieldErrors: {}, formError: `${problem.message} Nothing was saved.` };
  return { fieldErrors: {}, formError: `This ${singular.toLowerCase()} no longer exists.` };
}

/** "Published date" → "published date", but "ISBN" stays "ISBN". */
function inSentence(label: string): string {
  return /^[A-Z]{2,}\b/.test(label) ? label : label.charAt(0).toLowerCase() + label.slice(1);
}
