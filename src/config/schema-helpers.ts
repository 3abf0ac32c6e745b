import { z } from "zod";

/** A function option; zod 4 has no function schema, so it is checked by type only. */
export function fn<T extends (...args: never[]) => unknown>(description: string) {
  return z.custom<T>((value) => typeof value === "function", { message: `must be a function: ${description}` });
}

/** Formats zod issues as "option.path: message" lines, naming the option that is wrong. */
export function describeIssues(error: z.ZodError, prefix: string): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.map((part) => (typeof part === "number" ? `[${part}]` : `.${String(part)}`)).join("");
      const where = `${prefix}${path}`.replace(/^\./, "") || "options";
      return `  ${where}: ${issue.message}`;
    })
    .join("\n");
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PowerCrudConfigError";
  }
}

/** Parses options once at mount time; a bad option stops startup with a message naming it. */
export function parseOptions<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new ConfigError(`Invalid ${what} options:\n${describeIssues(result.error, "")}`);
  return result.data;
}
