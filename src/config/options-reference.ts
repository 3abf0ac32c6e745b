import { z } from "zod";
import { globalSchema } from "./global-schema";
import { permissionsSchema } from "./permissions-schema";
import { resourceSchema } from "./resource-schema";

/**
 * The option tables of docs/reference/options.md, generated from the zod schemas so the reference
 * cannot drift from what is validated. Each option's text is its schema's metadata:
 * `description` (markdown), and where the schema cannot say it, `typeText` (function signatures,
 * class instances) and `defaultText` (defaults computed from the model or other options).
 */

/** One table of the reference: the options of `root` at `path`, between its marker comments. */
export interface ReferenceSection {
  /** The marker name: `<!-- options:start ID -->` ... `<!-- options:end ID -->`. */
  id: string;
  root: z.ZodType;
  path: string[];
  /** Prefix of the option names, for a schema shared by several places (permissions). */
  prefix?: string;
  /** The heading in options.md the table sits under; other tables link to it. */
  heading: string;
}

export const REFERENCE_SECTIONS: ReferenceSection[] = [
  { id: "createPowerCrud", root: globalSchema, path: [], heading: "createPowerCrud" },
  { id: "global-bulk", root: globalSchema, path: ["bulk"], heading: "global bulk" },
  { id: "global-history", root: globalSchema, path: ["history"], heading: "global history" },
  { id: "global-export", root: globalSchema, path: ["export"], heading: "global export" },
  { id: "tasks", root: globalSchema, path: ["tasks"], heading: "tasks" },
  { id: "resource", root: resourceSchema, path: [], heading: "resource" },
  { id: "list", root: resourceSchema, path: ["list"], heading: "list" },
  { id: "properties", root: resourceSchema, path: ["properties"], heading: "properties" },
  { id: "detail", root: resourceSchema, path: ["detail"], heading: "detail" },
  { id: "form", root: resourceSchema, path: ["form"], heading: "form" },
  { id: "routes", root: resourceSchema, path: ["routes"], heading: "routes" },
  { id: "bulk", root: resourceSchema, path: ["bulk"], heading: "bulk" },
  { id: "history", root: resourceSchema, path: ["history"], heading: "history" },
  { id: "export", root: resourceSchema, path: ["export"], heading: "export" },
  { id: "rowActions", root: resourceSchema, path: ["rowActions"], heading: "rowActions" },
  { id: "toolbar", root: resourceSchema, path: ["toolbar"], heading: "toolbar" },
  { id: "permissions", root: permissionsSchema, path: [], prefix: "permissions.", heading: "permissions" },
  { id: "templates", root: resourceSchema, path: ["templates"], heading: "templates" },
];

/** One row of a table: an option, or a group of options, by its dotted name. */
export interface OptionRow {
  name: string;
  type: string;
  default: string;
  description: string;
}

const META_KEYS = ["description", "typeText", "defaultText"];

/** Rows of every section, in order. */
export function referenceRows(sections = REFERENCE_SECTIONS): Map<ReferenceSection, OptionRow[]> {
  return new Map(sections.map((section) => [section, sectionRows(section, sections)]));
}

/** What keeps the reference from being complete: options without a description, unknown meta keys. */
export function referenceProblems(sections = REFERENCE_SECTIONS): string[] {
  const problems: string[] = [];
  for (const [section, rows] of referenceRows(sections)) {
    for (const row of rows) if (!row.description.trim()) problems.push(`${section.id}: ${row.name} has no description (add .describe("..."))`);
  }
  const seen = new Set<z.ZodType>();
  for (const root of new Set(sections.map((section) => section.root))) problems.push(...unknownMetaKeys(root, "", seen));
  return problems;
}

/** The markdown file with every section's table rewritten between its markers, the rest untouched. */
export function renderReference(markdown: string, sections = REFERENCE_SECTIONS): string {
  const named = [...markdown.matchAll(/^<!-- options:start (\S+) -->$/gm)].map((match) => match[1]);
  const unknown = named.filter((id) => !sections.some((section) => section.id === id));
  if (unknown.length > 0) throw new Error(`options.md has markers for unknown sections: ${unknown.join(", ")}`);
  let text = markdown;
  for (const [section, rows] of referenceRows(sections)) {
    const start = `<!-- options:start ${section.id} -->`;
    const end = `<!-- options:end ${section.id} -->`;
    const between = new RegExp(`^${start}$[\\s\\S]*?^${end}$`, "m");
    if (!between.test(text)) throw new Error(`options.md lacks the markers ${start} ... ${end}, each on a line of its own`);
    // Blank lines around the table: an HTML comment directly above it would swallow it as raw HTML.
    text = text.replace(between, () => `${start}\n\n${table(rows)}\n${end}`);
  }
  return text;
}

/** The anchor MkDocs gives a heading (the toc extension's default slugify). */
export function headingAnchor(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\w\s-]/g, "")
    .trim()
    .replace(/[\s-]+/g, "-");
}

function table(rows: OptionRow[]): string {
  const lines = ["| Name | Type | Default | Description |", "|---|---|---|---|"];
  for (const row of rows) lines.push(`| \`${row.name}\` | ${cell(row.type)} | ${cell(row.default)} | ${cell(row.description)} |`);
  return `${lines.join("\n")}\n`;
}

/** Python-Markdown splits table cells on a `|` outside code spans only, and keeps a `\|` in one literally. */
function cell(text: string): string {
  return text
    .replace(/\s*\n\s*/g, " ")
    .split(/(`[^`]*`)/)
    .map((part, index) => (index % 2 === 1 ? part : part.replace(/\|/g, "\\|")))
    .join("");
}

function sectionRows(section: ReferenceSection, sections: ReferenceSection[]): OptionRow[] {
  let node = unwrap(section.root).inner;
  for (const key of section.path) {
    if (!(node instanceof z.ZodObject)) throw new Error(`${section.id}: ${key} is not inside an object`);
    node = unwrap(node.shape[key] as z.ZodType).inner;
  }
  return childRows({ section, sections }, node, section.prefix ?? section.path.map((key) => `${key}.`).join(""), section.path);
}

/** The options inside an object, an array of objects, a record of objects or a union with an object. */
/** The section being walked, and all of them (an option another one lists is only linked to). */
interface Walk {
  section: ReferenceSection;
  sections: ReferenceSection[];
}

function childRows(walk: Walk, node: z.ZodType, prefix: string, path: string[]): OptionRow[] {
  if (node instanceof z.ZodObject) {
    return Object.entries(node.shape as Record<string, z.ZodType>).flatMap(([key, child]) => optionRows(walk, child, `${prefix}${key}`, [...path, key]));
  }
  const name = prefix.replace(/\.$/, "");
  if (node instanceof z.ZodArray) return childRows(walk, unwrap(node.element as z.ZodType).inner, `${name}[].`, path);
  if (node instanceof z.ZodRecord) return childRows(walk, unwrap(node.valueType as z.ZodType).inner, `${name}.<name>.`, path);
  if (node instanceof z.ZodUnion) return (node.options as z.ZodType[]).flatMap((option) => childRows(walk, unwrap(option).inner, prefix, path));
  return [];
}

/** The option's own row, then its nested options unless another section lists them. */
function optionRows(walk: Walk, schema: z.ZodType, name: string, path: string[]): OptionRow[] {
  const { inner, meta, optional, hasDefault, defaultValue } = unwrap(schema);
  const { section } = walk;
  const elsewhere = walk.sections.find(
    (other) => other !== section && ((other.root === section.root && samePath(other.path, path)) || (other.path.length === 0 && other.root === inner)),
  );
  const type = typeOf(inner, meta, name);
  const row: OptionRow = {
    name,
    type: `\`${type.code}\`${type.notes.length ? ` (${type.notes.join("; ")})` : ""}${elsewhere ? `, see [${elsewhere.heading}](#${headingAnchor(elsewhere.heading)})` : ""}`,
    default: defaultText(inner, meta, name, { optional, hasDefault, defaultValue }),
    description: typeof meta.description === "string" ? meta.description : "",
  };
  return elsewhere ? [row] : [row, ...childRows(walk, inner, `${name}.`, path)];
}

interface Unwrapped {
  inner: z.ZodType;
  /** The metadata of every wrapper and the inner schema, the outermost winning. */
  meta: Record<string, unknown>;
  optional: boolean;
  hasDefault: boolean;
  defaultValue: unknown;
}

function unwrap(schema: z.ZodType): Unwrapped {
  const layers: Record<string, unknown>[] = [];
  let inner = schema;
  let optional = false;
  let hasDefault = false;
  let defaultValue: unknown;
  for (;;) {
    layers.push(inner.meta() ?? {});
    if (inner instanceof z.ZodOptional || inner instanceof z.ZodNullable) {
      optional = true;
      inner = inner.unwrap() as z.ZodType;
    } else if (inner instanceof z.ZodDefault || inner instanceof z.ZodPrefault) {
      if (!hasDefault) defaultValue = inner.def.defaultValue;
      hasDefault = true;
      inner = inner.unwrap() as z.ZodType;
    } else break;
  }
  return { inner, meta: Object.assign({}, ...layers.reverse()), optional, hasDefault, defaultValue };
}

function samePath(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((key, index) => key === b[index]);
}

/** The type as TypeScript-like code, and constraints in words (integer ranges). */
function typeOf(schema: z.ZodType, meta: Record<string, unknown>, name: string, inUnion = false): { code: string; notes: string[] } {
  if (typeof meta.typeText === "string") return { code: meta.typeText, notes: [] };
  if (schema instanceof z.ZodString) return { code: "string", notes: [] };
  if (schema instanceof z.ZodBoolean) return { code: "boolean", notes: [] };
  if (schema instanceof z.ZodUnknown) return { code: "unknown", notes: [] };
  if (schema instanceof z.ZodNumber) return { code: "number", notes: [numberRange(schema)] };
  if (schema instanceof z.ZodEnum) return { code: schema.options.map((option) => JSON.stringify(option)).join(" | "), notes: [] };
  if (schema instanceof z.ZodLiteral) return { code: [...schema.values].map((value) => JSON.stringify(value)).join(" | "), notes: [] };
  const part = (child: z.ZodType, nested = false) => {
    const { inner, meta: childMeta } = unwrap(child);
    return typeOf(inner, childMeta, name, nested);
  };
  if (schema instanceof z.ZodUnion) {
    const options = (schema.options as z.ZodType[]).map((option) => part(option, true));
    return { code: options.map((option) => option.code).join(" | "), notes: options.flatMap((option) => option.notes) };
  }
  if (schema instanceof z.ZodArray) {
    const element = part(schema.element as z.ZodType);
    return { code: `${element.code.includes(" | ") ? `(${element.code})` : element.code}[]`, notes: element.notes };
  }
  if (schema instanceof z.ZodRecord) {
    const value = part(schema.valueType as z.ZodType);
    return { code: `Record<${part(schema.keyType as z.ZodType).code}, ${value.code}>`, notes: value.notes };
  }
  if (schema instanceof z.ZodObject) {
    if (!inUnion) return { code: "object", notes: [] };
    const keys = Object.entries(schema.shape as Record<string, z.ZodType>).map(([key, child]) => {
      const { optional, hasDefault } = unwrap(child);
      return optional || hasDefault ? `${key}?` : key;
    });
    return { code: `{ ${keys.join(", ")} }`, notes: [] };
  }
  throw new Error(`options reference: ${name} has a ${schema.def.type} schema; give it .meta({ typeText: "..." })`);
}

function numberRange(schema: z.ZodNumber): string {
  const bounded = (value: number | null) => (value !== null && Math.abs(value) < Number.MAX_SAFE_INTEGER ? value : undefined);
  const min = bounded(schema.minValue);
  const max = bounded(schema.maxValue);
  const kind = schema.isInt ? "integer" : "number";
  if (min !== undefined && max !== undefined) return `${kind}, ${words(min)} to ${words(max)}`;
  if (min !== undefined) return `${kind}, ${words(min)} or more`;
  if (max !== undefined) return `${kind}, at most ${words(max)}`;
  return kind;
}

function defaultText(
  schema: z.ZodType,
  meta: Record<string, unknown>,
  name: string,
  { optional, hasDefault, defaultValue }: Pick<Unwrapped, "optional" | "hasDefault" | "defaultValue">,
): string {
  if (typeof meta.defaultText === "string") return meta.defaultText;
  if (hasDefault) {
    if (typeof defaultValue === "function") throw new Error(`options reference: ${name} defaults to a function; give it .meta({ defaultText: "..." })`);
    // A group's default is what its options default to (its default object must match them: see the test).
    return schema instanceof z.ZodObject ? "`{}`" : `\`${literal(defaultValue)}\``;
  }
  return optional ? "none" : "required";
}

function literal(value: unknown): string {
  if (typeof value === "number") return Number.isInteger(value) ? String(value).replace(/\B(?=(\d{3})+$)/g, "_") : String(value);
  if (Array.isArray(value)) return `[${value.map(literal).join(", ")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value).map(([key, item]) => `${key}: ${literal(item)}`);
    return entries.length ? `{ ${entries.join(", ")} }` : "{}";
  }
  return JSON.stringify(value);
}

function words(value: number): string {
  return value.toLocaleString("en-US");
}

/** Meta keys other than the reference's own are typos the reference would silently ignore. */
function unknownMetaKeys(schema: z.ZodType, name: string, seen: Set<z.ZodType>): string[] {
  if (seen.has(schema)) return [];
  seen.add(schema);
  const own = Object.keys(schema.meta() ?? {})
    .filter((key) => !META_KEYS.includes(key))
    .map((key) => `${name || "options"}: unknown meta key "${key}" (known: ${META_KEYS.join(", ")})`);
  const children: [z.ZodType, string][] = [];
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable || schema instanceof z.ZodDefault || schema instanceof z.ZodPrefault) {
    children.push([schema.unwrap() as z.ZodType, name]);
  } else if (schema instanceof z.ZodObject) {
    for (const [key, child] of Object.entries(schema.shape as Record<string, z.ZodType>)) children.push([child, name ? `${name}.${key}` : key]);
  } else if (schema instanceof z.ZodArray) children.push([schema.element as z.ZodType, `${name}[]`]);
  else if (schema instanceof z.ZodRecord) children.push([schema.valueType as z.ZodType, `${name}.<name>`]);
  else if (schema instanceof z.ZodUnion) for (const option of schema.options as z.ZodType[]) children.push([option, name]);
  return [...own, ...children.flatMap(([child, childName]) => unknownMetaKeys(child, childName, seen))];
}
