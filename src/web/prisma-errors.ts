import type { FormField } from "../forms/types";

/** What a failed Prisma write means for the user. */
export type WriteProblem =
  | { kind: "unique"; fields: string[] }
  | { kind: "missing-related"; model: string }
  | { kind: "referenced"; table?: string }
  | { kind: "not-found" };

/**
 * Recognises constraint errors (with or without a driver adapter, whose errors nest the cause), so
 * they become field or form messages instead of a 500. Anything else returns undefined.
 */
export function writeProblem(error: unknown): WriteProblem | undefined {
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
  return { fieldErrors: {}, formError: `This ${singular.toLowerCase()} no longer exists.` };
}

/** "Published date" → "published date", but "ISBN" stays "ISBN". */
function inSentence(label: string): string {
  return /^[A-Z]{2,}\b/.test(label) ? label : label.charAt(0).toLowerCase() + label.slice(1);
}
