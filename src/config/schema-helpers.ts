import { z } from "zod";

/** A function option; zod 4 has no function schema, so it is checked by type only. */
export function fn<T extends (...args: never[]) => unknown>(signature: string) {
  return z.custom<T>((value) => typeof value === "function", { message: `must be a function: ${signature}` }).meta({ typeText: signature });
}

/** Formats zod issues as "option.path: message" lines, naming the option that is wrong. */
export function describeIssues(error: z.ZodError, schema: z.ZodType): string {
  return error.issues
    .map((issue) => {
      const where = pathText(issue.path);
      if (issue.code === "unrecognized_keys") {
        const valid = keysAt(schema, issue.path);
        return issue.keys
          .map((key) => `  ${pathText([...issue.path, key])}: unknown option${valid.length ? ` (valid: ${valid.join(", ")})` : ""}`)
          .join("\n");
      }
      return `  ${where}: ${issue.message}`;
    })
    .join("\n");
}

function pathText(path: ReadonlyArray<PropertyKey>): string {
  return path.map((part) => (typeof part === "number" ? `[${part}]` : `.${String(part)}`)).join("").replace(/^\./, "") || "options";
}

/** The option names an object schema accepts at a path (through defaults, optionals and arrays). */
function keysAt(schema: z.ZodType, path: ReadonlyArray<PropertyKey>): string[] {
  let current: any = schema;
  for (const part of [...path, null]) {
    while (current?.def && ["default", "optional", "nullable", "prefault"].includes(current.def.type)) current = current.def.innerType;
    if (current?.def?.type === "array") current = current.def.element;
    while (current?.def && ["default", "optional", "nullable", "prefault"].includes(current.def.type)) current = current.def.innerType;
    if (part === null) break;
    if (typeof part === "number") continue;
    current = current?.def?.type === "object" ? current.def.shape[String(part)] : undefined;
  }
  return current?.def?.type === "object" ? Object.keys(current.def.shape) : [];
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
  if (!result.success) throw new ConfigError(`Invalid ${what} options:\n${describeIssues(result.error, schema)}`);
  return result.data;
}
