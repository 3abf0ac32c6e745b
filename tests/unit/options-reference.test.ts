import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { globalSchema } from "../../src/config/global-schema";
import { resourceSchema } from "../../src/config/resource-schema";
import { headingAnchor, referenceProblems, referenceRows, renderReference, REFERENCE_SECTIONS, type ReferenceSection } from "../../src/config/options-reference";

const OPTIONS_MD = new URL("../../docs/reference/options.md", import.meta.url);

describe("docs/reference/options.md", () => {
  const markdown = readFileSync(OPTIONS_MD, "utf8");

  it("has the option tables the schemas generate", () => {
    expect(renderReference(markdown), "docs/reference/options.md disagrees with the schemas in src/config/: run npm run docs:options").toBe(markdown);
  });

  it("describes every option, group and nested option", () => {
    expect(referenceProblems(), "add .describe(...) or .meta({ description }) to each, then run npm run docs:options").toEqual([]);
  });

  it("has a heading for every section and for every link in the tables", () => {
    const anchors = new Set([...markdown.matchAll(/^#{1,6} (.+)$/gm)].map((match) => headingAnchor(match[1]!)));
    for (const section of REFERENCE_SECTIONS) expect(anchors, `a heading "${section.heading}"`).toContain(headingAnchor(section.heading));
    const cells = [...referenceRows().values()].flat().flatMap((row) => [row.type, row.default, row.description]);
    for (const [, anchor] of cells.join("\n").matchAll(/\]\(#([^)]+)\)/g)) expect(anchors, `the link #${anchor}`).toContain(anchor);
  });

  it("lists every option of createPowerCrud and resource by its dotted name", () => {
    const names = new Set([...referenceRows().values()].flat().map((row) => row.name));
    for (const name of ["prisma", "bulk.background.minRecords", "tasks.email.baseUrl", "tasks.cleanupSchedule", "list.fields[].link", "form.validate"]) {
      expect(names).toContain(name);
    }
    for (const name of ["properties.<name>.needs", "rowActions[].variant", "toolbar[].href", "permissions.deleteRecord", "bulk.veto", "templates.deleteConfirm"]) {
      expect(names).toContain(name);
    }
  });
});

describe("group defaults", () => {
  // The tables show a group's default as `{}`: true only while a .default() object equals what its
  // options default to (zod returns it as is, unparsed) and a .prefault() object (parsed) is empty.
  it.each([
    ["createPowerCrud", globalSchema],
    ["resource", resourceSchema],
  ])("%s: every group's default object is its options' defaults", (_, root) => {
    for (const [name, group] of defaultedGroups(root)) {
      if (group.parsed) expect(group.defaultValue, name).toEqual({});
      else expect(group.inner.parse({}), name).toEqual(group.defaultValue);
    }
  });
});

describe("renderReference", () => {
  const sample = z
    .object({
      limit: z.number().int().min(1).max(10_000).default(2_500).describe("Rows | at most."),
      mode: z.enum(["fast", "safe"]).optional().describe("How: `fast | safe`."),
      hook: z.custom<() => void>((value) => typeof value === "function").meta({ typeText: "(ctx) => boolean | string", description: "A hook." }),
      nested: z.object({ deep: z.boolean().default(false).describe("A nested flag.") }).prefault({}).describe("A group."),
    })
    .strict();
  const sections: ReferenceSection[] = [{ id: "sample", root: sample, path: [], heading: "sample" }];
  const page = "# Sample\n\nProse above.\n\n<!-- options:start sample -->\nstale table\n<!-- options:end sample -->\n\nProse below.\n";

  it("rewrites only what lies between the markers", () => {
    expect(renderReference(page, sections)).toBe(
      [
        "# Sample\n\nProse above.\n\n<!-- options:start sample -->\n",
        "| Name | Type | Default | Description |",
        "|---|---|---|---|",
        "| `limit` | `number` (integer, 1 to 10,000) | `2_500` | Rows \\| at most. |",
        '| `mode` | `"fast" | "safe"` | none | How: `fast | safe`. |',
        "| `hook` | `(ctx) => boolean | string` | required | A hook. |",
        "| `nested` | `object` | `{}` | A group. |",
        "| `nested.deep` | `boolean` | `false` | A nested flag. |",
        "\n<!-- options:end sample -->\n\nProse below.\n",
      ].join("\n"),
    );
  });

  it("refuses a page without a section's markers, or with markers of an unknown section", () => {
    expect(() => renderReference("# Sample\n", sections)).toThrow("options.md lacks the markers <!-- options:start sample -->");
    expect(() => renderReference(`${page}<!-- options:start gone -->\n<!-- options:end gone -->\n`, sections)).toThrow(
      "options.md has markers for unknown sections: gone",
    );
  });

  it("reports an option without a description, and a misspelt meta key", () => {
    const undocumented = sample.extend({ added: z.string().default("x"), typo: z.string().optional().meta({ defualtText: "y", description: "z" }) });
    expect(referenceProblems([{ ...sections[0]!, root: undocumented }])).toEqual([
      'sample: added has no description (add .describe("..."))',
      'typo: unknown meta key "defualtText" (known: description, typeText, defaultText)',
    ]);
  });

  it("asks for words where the schema cannot say the type or the default", () => {
    const custom = z.object({ client: z.custom<object>(() => true).describe("A client.") });
    expect(() => referenceRows([{ ...sections[0]!, root: custom }])).toThrow('client has a custom schema; give it .meta({ typeText: "..." })');
    const computed = z.object({ log: z.custom<() => void>(() => true).meta({ typeText: "() => void" }).default(() => () => undefined).describe("Logs.") });
    expect(() => referenceRows([{ ...sections[0]!, root: computed }])).toThrow('log defaults to a function; give it .meta({ defaultText: "..." })');
  });
});

interface DefaultedGroup {
  inner: z.ZodType;
  defaultValue: unknown;
  /** A .prefault() value, which zod parses, rather than a .default() value, which it returns as is. */
  parsed: boolean;
}

/** Every object group with a default object, by dotted name, through wrappers, arrays and records. */
function defaultedGroups(schema: z.ZodType, name = ""): [string, DefaultedGroup][] {
  if (schema instanceof z.ZodDefault || schema instanceof z.ZodPrefault) {
    const inner = schema.unwrap() as z.ZodType;
    const group = { inner, defaultValue: schema.def.defaultValue, parsed: schema instanceof z.ZodPrefault };
    return [...(inner instanceof z.ZodObject ? [[name, group] as [string, DefaultedGroup]] : []), ...defaultedGroups(inner, name)];
  }
  if (schema instanceof z.ZodOptional) return defaultedGroups(schema.unwrap() as z.ZodType, name);
  if (schema instanceof z.ZodObject) {
    return Object.entries(schema.shape as Record<string, z.ZodType>).flatMap(([key, child]) => defaultedGroups(child, name ? `${name}.${key}` : key));
  }
  if (schema instanceof z.ZodArray) return defaultedGroups(schema.element as z.ZodType, `${name}[]`);
  if (schema instanceof z.ZodRecord) return defaultedGroups(schema.valueType as z.ZodType, `${name}.<name>`);
  return [];
}
